# The optional GPU backend. It is built when the CUDA toolkit, cuDNN's headers and the cudnn-frontend
# headers are all found; otherwise convbench is built for the CPU only. Either way one line says which.
#
#   -DCONVBENCH_GPU=AUTO|ON|OFF            AUTO (default) builds it when everything is found
#   -DCUDNN_FRONTEND_INCLUDE_DIR=<dir>     where cudnn_frontend.h is (scripts/setup.sh unpacks it into
#                                          .deps/cudnn-frontend/include)
#
# The backend loads libcudnn at run time (cudnn-frontend's dynamic-loading mode) and links the CUDA
# runtime statically, so `ldd convbench` lists neither and the binary runs where there is no GPU.
set(CONVBENCH_GPU AUTO CACHE STRING "Build the cuDNN backend: AUTO, ON or OFF")
set_property(CACHE CONVBENCH_GPU PROPERTY STRINGS AUTO ON OFF)
set(CUDNN_FRONTEND_INCLUDE_DIR "${CMAKE_CURRENT_SOURCE_DIR}/.deps/cudnn-frontend/include"
    CACHE PATH "Directory that holds cudnn_frontend.h")

set(CONVBENCH_HAVE_CUDNN OFF)
set(_gpu_missing "")
if(NOT CONVBENCH_GPU STREQUAL "OFF")
  find_package(CUDAToolkit QUIET)
  if(NOT CUDAToolkit_FOUND)
    list(APPEND _gpu_missing "the CUDA toolkit")
  else()
    find_path(CUDNN_INCLUDE_DIR cudnn.h HINTS ${CUDAToolkit_INCLUDE_DIRS} /usr/include /usr/include/x86_64-linux-gnu)
    if(NOT CUDNN_INCLUDE_DIR)
      list(APPEND _gpu_missing "cudnn.h")
    endif()
  endif()
  if(NOT EXISTS "${CUDNN_FRONTEND_INCLUDE_DIR}/cudnn_frontend.h")
    list(APPEND _gpu_missing "cudnn_frontend.h in ${CUDNN_FRONTEND_INCLUDE_DIR} (run scripts/setup.sh)")
  endif()
  if(_gpu_missing STREQUAL "")
    set(CONVBENCH_HAVE_CUDNN ON)
  elseif(CONVBENCH_GPU STREQUAL "ON")
    string(REPLACE ";" ", " _m "${_gpu_missing}")
    message(FATAL_ERROR "CONVBENCH_GPU=ON but these are missing: ${_m}")
  endif()
endif()

if(CONVBENCH_HAVE_CUDNN)
  file(STRINGS "${CUDNN_INCLUDE_DIR}/cudnn_version.h" _v REGEX "define CUDNN_(MAJOR|MINOR) ")
  string(REGEX REPLACE ".*CUDNN_MAJOR ([0-9]+).*CUDNN_MINOR ([0-9]+).*" "\\1.\\2" _cudnn_version "${_v}")
  message(NOTICE "convbench: building backends: cpu (oneDNN ${dnnl_VERSION}), gpu (cuDNN ${_cudnn_version} headers, "
                 "CUDA ${CUDAToolkit_VERSION}, cudnn-frontend)")
  add_library(convbench_cudnn STATIC src/backends/cudnn/cudnn_backend.cpp src/backends/cudnn/cudnn_plan.cpp
                                     src/backends/cudnn/cudnn_common.cpp src/backends/cudnn/cuda_probe.cpp
                                     src/backends/cudnn/nvml.cpp)
  target_include_directories(convbench_cudnn PRIVATE ${CONVBENCH_SRC})
  target_include_directories(convbench_cudnn SYSTEM PRIVATE "${CUDNN_FRONTEND_INCLUDE_DIR}" "${CUDNN_INCLUDE_DIR}"
                                                            ${CUDAToolkit_INCLUDE_DIRS})
  target_compile_definitions(convbench_cudnn PRIVATE NV_CUDNN_FRONTEND_USE_DYNAMIC_LOADING)
  # The GPU backend depends on the core only: never on the CLI or another backend.
  target_link_libraries(convbench_cudnn PUBLIC convbench_core
                                        PRIVATE CUDA::cudart_static ${CMAKE_DL_LIBS} convbench_warnings)
else()
  if(CONVBENCH_GPU STREQUAL "OFF")
    set(_why "CONVBENCH_GPU=OFF")
  else()
    string(REPLACE ";" ", " _why "not found: ${_gpu_missing}")
  endif()
  message(NOTICE "convbench: building backends: cpu (oneDNN ${dnnl_VERSION}) only; gpu skipped (${_why})")
endif()
