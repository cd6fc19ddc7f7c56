# Third-party dependencies, all from Debian packages (scripts/setup.sh installs them). Nothing is
# vendored and nothing is downloaded at build time.
find_package(dnnl CONFIG REQUIRED)            # libdnnl-dev (oneDNN 2.6.3)
find_package(CLI11 CONFIG REQUIRED)           # libcli11-dev
find_package(fmt CONFIG REQUIRED)             # libfmt-dev
find_package(nlohmann_json CONFIG REQUIRED)   # nlohmann-json3-dev
find_package(OpenMP REQUIRED)                 # Debian's oneDNN uses the OpenMP runtime; we set its thread count
if(CONVBENCH_BUILD_TESTS OR NOT DEFINED CONVBENCH_BUILD_TESTS)
  find_package(GTest REQUIRED)                # libgtest-dev
endif()
