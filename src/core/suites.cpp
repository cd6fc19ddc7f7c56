// The built-in problem suites. The DeepBench sets are the convolution shape tables that
// baidu-research/DeepBench publishes (training 94, inference server 107, inference device 16 shapes),
// rewritten as descriptors; ResNet-50 lists the distinct convolution layers of ResNet-50 v1.5 at batch 32.
#include "convbench/suites.hpp"

namespace convbench {
namespace {

const char* const kTraining[] = {
    "mb4ic1ih161iw700oc32kh5kw20sh2sw2ph0pw0",    "mb8ic1ih161iw700oc32kh5kw20sh2sw2ph0pw0",
    "mb16ic1ih161iw700oc32kh5kw20sh2sw2ph0pw0",   "mb32ic1ih161iw700oc32kh5kw20sh2sw2ph0pw0",
    "mb4ic32ih79iw341oc32kh5kw10sh2sw2ph0pw0",    "mb8ic32ih79iw341oc32kh5kw10sh2sw2ph0pw0",
    "mb16ic32ih79iw341oc32kh5kw10sh2sw2ph0pw0",   "mb32ic32ih79iw341oc32kh5kw10sh2sw2ph0pw0",
    "mb16ic1ih48iw480oc16kh3kw3sh1sw1ph1pw1",     "mb16ic16ih24iw240oc32kh3kw3sh1sw1ph1pw1",
    "mb16ic32ih12iw120oc64kh3kw3sh1sw1ph1pw1",    "mb16ic64ih6iw60oc128kh3kw3sh1sw1ph1pw1",
    "mb8ic3ih108iw108oc64kh3kw3sh2sw2ph1pw1",     "mb8ic64ih54iw54oc64kh3kw3sh1sw1ph1pw1",
    "mb8ic128ih27iw27oc128kh3kw3sh1sw1ph1pw1",    "mb8ic128ih14iw14oc256kh3kw3sh1sw1ph1pw1",
    "mb8ic256ih7iw7oc512kh3kw3sh1sw1ph1pw1",      "mb8ic3ih224iw224oc64kh3kw3sh1sw1ph1pw1",
    "mb8ic64ih112iw112oc128kh3kw3sh1sw1ph1pw1",   "mb8ic128ih56iw56oc256kh3kw3sh1sw1ph1pw1",
    "mb8ic256ih28iw28oc512kh3kw3sh1sw1ph1pw1",    "mb8ic512ih14iw14oc512kh3kw3sh1sw1ph1pw1",
    "mb8ic512ih7iw7oc512kh3kw3sh1sw1ph1pw1",      "mb16ic3ih224iw224oc64kh3kw3sh1sw1ph1pw1",
    "mb16ic64ih112iw112oc128kh3kw3sh1sw1ph1pw1",  "mb16ic128ih56iw56oc256kh3kw3sh1sw1ph1pw1",
    "mb16ic256ih28iw28oc512kh3kw3sh1sw1ph1pw1",   "mb16ic512ih14iw14oc512kh3kw3sh1sw1ph1pw1",
    "mb16ic512ih7iw7oc512kh3kw3sh1sw1ph1pw1",     "mb16ic3ih224iw224oc64kh7kw7sh2sw2ph3pw3",
    "mb16ic192ih28iw28oc32kh5kw5sh1sw1ph2pw2",    "mb16ic192ih28iw28oc64kh1kw1sh1sw1ph0pw0",
    "mb16ic512ih14iw14oc48kh5kw5sh1sw1ph2pw2",    "mb16ic512ih14iw14oc192kh1kw1sh1sw1ph0pw0",
    "mb16ic832ih7iw7oc256kh1kw1sh1sw1ph0pw0",     "mb16ic832ih7iw7oc128kh5kw5sh1sw1ph2pw2",
    "mb8ic64ih56iw56oc64kh3kw3sh1sw1ph1pw1",      "mb8ic64ih56iw56oc256kh1kw1sh2sw2ph0pw0",
    "mb8ic128ih28iw28oc128kh3kw3sh1sw1ph1pw1",    "mb8ic128ih28iw28oc512kh1kw1sh2sw2ph0pw0",
    "mb8ic256ih14iw14oc256kh1kw1sh1sw1ph0pw0",    "mb8ic256ih14iw14oc256kh3kw3sh1sw1ph1pw1",
    "mb8ic256ih14iw14oc1024kh1kw1sh2sw2ph0pw0",   "mb8ic512ih7iw7oc512kh1kw1sh1sw1ph0pw0",
    "mb8ic2048ih7iw7oc512kh1kw1sh2sw2ph3pw3",     "mb16ic64ih56iw56oc64kh3kw3sh1sw1ph1pw1",
    "mb16ic64ih56iw56oc256kh1kw1sh2sw2ph0pw0",    "mb16ic128ih28iw28oc128kh3kw3sh1sw1ph1pw1",
    "mb16ic128ih28iw28oc512kh1kw1sh2sw2ph0pw0",   "mb16ic256ih14iw14oc256kh1kw1sh1sw1ph0pw0",
    "mb16ic256ih14iw14oc256kh3kw3sh1sw1ph1pw1",   "mb16ic256ih14iw14oc1024kh1kw1sh2sw2ph0pw0",
    "mb16ic512ih7iw7oc512kh1kw1sh1sw1ph0pw0",     "mb16ic2048ih7iw7oc512kh1kw1sh2sw2ph3pw3",
    "mb16ic1ih161iw700oc64kh5kw5sh2sw2ph1pw1",    "mb16ic64ih80iw350oc64kh3kw3sh1sw1ph1pw1",
    "mb16ic64ih80iw350oc128kh5kw5sh2sw2ph1pw1",   "mb16ic128ih40iw175oc128kh3kw3sh1sw1ph1pw1",
    "mb16ic128ih40iw175oc256kh5kw5sh2sw2ph1pw1",  "mb16ic256ih20iw84oc256kh3kw3sh1sw1ph1pw1",
    "mb16ic256ih20iw84oc512kh5kw5sh2sw2ph1pw1",   "mb16ic512ih10iw42oc512kh3kw3sh1sw1ph1pw1",
    "mb8ic64ih112iw112oc64kh1kw1sh1sw1ph0pw0",    "mb8ic64ih56iw56oc256kh1kw1sh1sw1ph0pw0",
    "mb8ic256ih56iw56oc64kh1kw1sh1sw1ph0pw0",     "mb8ic256ih56iw56oc128kh1kw1sh2sw2ph0pw0",
    "mb8ic128ih28iw28oc512kh1kw1sh1sw1ph0pw0",    "mb8ic512ih28iw28oc128kh1kw1sh1sw1ph0pw0",
    "mb8ic512ih28iw28oc256kh1kw1sh2sw2ph0pw0",    "mb8ic256ih14iw14oc1024kh1kw1sh1sw1ph0pw0",
    "mb8ic512ih28iw28oc1024kh1kw1sh2sw2ph0pw0",   "mb8ic1024ih14iw14oc256kh1kw1sh1sw1ph0pw0",
    "mb8ic256ih14iw14oc1024kh1kw1sh1sw1ph0pw0",   "mb8ic1024ih14iw14oc512kh1kw1sh2sw2ph0pw0",
    "mb8ic512ih7iw7oc512kh3kw3sh1sw1ph1pw1",      "mb8ic512ih7iw7oc2048kh1kw1sh1sw1ph0pw0",
    "mb8ic1024ih14iw14oc2048kh1kw1sh2sw2ph0pw0",  "mb8ic2048ih7iw7oc512kh1kw1sh1sw1ph0pw0",
    "mb16ic64ih112iw112oc64kh1kw1sh1sw1ph0pw0",   "mb16ic64ih56iw56oc256kh1kw1sh1sw1ph0pw0",
    "mb16ic256ih56iw56oc64kh1kw1sh1sw1ph0pw0",    "mb16ic256ih56iw56oc128kh1kw1sh2sw2ph0pw0",
    "mb16ic128ih28iw28oc512kh1kw1sh1sw1ph0pw0",   "mb16ic512ih28iw28oc128kh1kw1sh1sw1ph0pw0",
    "mb16ic512ih28iw28oc256kh1kw1sh2sw2ph0pw0",   "mb16ic256ih14iw14oc1024kh1kw1sh1sw1ph0pw0",
    "mb16ic512ih28iw28oc1024kh1kw1sh2sw2ph0pw0",  "mb16ic1024ih14iw14oc256kh1kw1sh1sw1ph0pw0",
    "mb16ic256ih14iw14oc1024kh1kw1sh1sw1ph0pw0",  "mb16ic1024ih14iw14oc512kh1kw1sh2sw2ph0pw0",
    "mb16ic512ih7iw7oc512kh3kw3sh1sw1ph1pw1",     "mb16ic512ih7iw7oc2048kh1kw1sh1sw1ph0pw0",
    "mb16ic1024ih14iw14oc2048kh1kw1sh2sw2ph0pw0", "mb16ic2048ih7iw7oc512kh1kw1sh1sw1ph0pw0",
};

const char* const kServer[] = {
    "mb1ic1ih161iw700oc32kh5kw20sh2sw2ph0pw0",  "mb2ic1ih161iw700oc32kh5kw20sh2sw2ph0pw0",
    "mb4ic1ih161iw700oc32kh5kw20sh2sw2ph0pw0",  "mb1ic32ih79iw341oc32kh5kw10sh2sw2ph0pw0",
    "mb2ic32ih79iw341oc32kh5kw10sh2sw2ph0pw0",  "mb4ic32ih79iw341oc32kh5kw10sh2sw2ph0pw0",
    "mb1ic1ih48iw480oc16kh3kw3sh1sw1ph1pw1",    "mb1ic16ih24iw240oc32kh3kw3sh1sw1ph1pw1",
    "mb1ic32ih12iw120oc64kh3kw3sh1sw1ph1pw1",   "mb1ic64ih6iw60oc128kh3kw3sh1sw1ph1pw1",
    "mb1ic3ih108iw108oc64kh3kw3sh2sw2ph1pw1",   "mb1ic64ih54iw54oc64kh3kw3sh1sw1ph1pw1",
    "mb1ic128ih27iw27oc128kh3kw3sh1sw1ph1pw1",  "mb1ic128ih14iw14oc256kh3kw3sh1sw1ph1pw1",
    "mb1ic256ih7iw7oc512kh3kw3sh1sw1ph1pw1",    "mb1ic3ih224iw224oc64kh3kw3sh1sw1ph1pw1",
    "mb1ic64ih112iw112oc128kh3kw3sh1sw1ph1pw1", "mb1ic128ih56iw56oc256kh3kw3sh1sw1ph1pw1",
    "mb1ic256ih28iw28oc512kh3kw3sh1sw1ph1pw1",  "mb1ic512ih14iw14oc512kh3kw3sh1sw1ph1pw1",
    "mb1ic512ih7iw7oc512kh3kw3sh1sw1ph1pw1",    "mb2ic3ih224iw224oc64kh3kw3sh1sw1ph1pw1",
    "mb2ic64ih112iw112oc128kh3kw3sh1sw1ph1pw1", "mb2ic128ih56iw56oc256kh3kw3sh1sw1ph1pw1",
    "mb2ic256ih28iw28oc512kh3kw3sh1sw1ph1pw1",  "mb2ic512ih14iw14oc512kh3kw3sh1sw1ph1pw1",
    "mb2ic512ih7iw7oc512kh3kw3sh1sw1ph1pw1",    "mb1ic3ih224iw224oc64kh7kw7sh2sw2ph3pw3",
    "mb1ic192ih28iw28oc32kh5kw5sh1sw1ph2pw2",   "mb1ic192ih28iw28oc64kh1kw1sh1sw1ph0pw0",
    "mb1ic512ih14iw14oc48kh5kw5sh1sw1ph2pw2",   "mb1ic512ih14iw14oc192kh1kw1sh1sw1ph0pw0",
    "mb1ic832ih7iw7oc256kh1kw1sh1sw1ph0pw0",    "mb1ic832ih7iw7oc128kh5kw5sh1sw1ph2pw2",
    "mb2ic3ih224iw224oc64kh7kw7sh2sw2ph3pw3",   "mb2ic192ih28iw28oc32kh5kw5sh1sw1ph2pw2",
    "mb2ic192ih28iw28oc64kh1kw1sh1sw1ph0pw0",   "mb2ic512ih14iw14oc48kh5kw5sh1sw1ph2pw2",
    "mb2ic512ih14iw14oc192kh1kw1sh1sw1ph0pw0",  "mb2ic832ih7iw7oc256kh1kw1sh1sw1ph0pw0",
    "mb2ic832ih7iw7oc128kh5kw5sh1sw1ph2pw2",    "mb1ic64ih56iw56oc64kh3kw3sh1sw1ph1pw1",
    "mb1ic64ih56iw56oc256kh1kw1sh2sw2ph0pw0",   "mb1ic128ih28iw28oc128kh3kw3sh1sw1ph1pw1",
    "mb1ic128ih28iw28oc512kh1kw1sh2sw2ph0pw0",  "mb1ic256ih14iw14oc256kh1kw1sh1sw1ph0pw0",
    "mb1ic256ih14iw14oc256kh3kw3sh1sw1ph1pw1",  "mb1ic256ih14iw14oc1024kh1kw1sh2sw2ph0pw0",
    "mb1ic512ih7iw7oc512kh1kw1sh1sw1ph0pw0",    "mb1ic2048ih7iw7oc512kh1kw1sh2sw2ph3pw3",
    "mb2ic64ih56iw56oc64kh3kw3sh1sw1ph1pw1",    "mb2ic64ih56iw56oc256kh1kw1sh2sw2ph0pw0",
    "mb2ic128ih28iw28oc128kh3kw3sh1sw1ph1pw1",  "mb2ic128ih28iw28oc512kh1kw1sh2sw2ph0pw0",
    "mb2ic256ih14iw14oc256kh1kw1sh1sw1ph0pw0",  "mb2ic256ih14iw14oc256kh3kw3sh1sw1ph1pw1",
    "mb2ic256ih14iw14oc1024kh1kw1sh2sw2ph0pw0", "mb2ic512ih7iw7oc512kh1kw1sh1sw1ph0pw0",
    "mb2ic2048ih7iw7oc512kh1kw1sh2sw2ph3pw3",   "mb1ic1ih161iw700oc64kh5kw5sh2sw2ph1pw1",
    "mb1ic64ih80iw350oc64kh3kw3sh1sw1ph1pw1",   "mb1ic64ih80iw350oc128kh5kw5sh2sw2ph1pw1",
    "mb1ic128ih40iw175oc128kh3kw3sh1sw1ph1pw1", "mb1ic128ih40iw175oc256kh5kw5sh2sw2ph1pw1",
    "mb1ic256ih20iw84oc256kh3kw3sh1sw1ph1pw1",  "mb1ic256ih20iw84oc512kh5kw5sh2sw2ph1pw1",
    "mb1ic512ih10iw42oc512kh3kw3sh1sw1ph1pw1",  "mb2ic1ih161iw700oc64kh5kw5sh2sw2ph1pw1",
    "mb2ic64ih80iw350oc64kh3kw3sh1sw1ph1pw1",   "mb2ic64ih80iw350oc128kh5kw5sh2sw2ph1pw1",
    "mb2ic128ih40iw175oc128kh3kw3sh1sw1ph1pw1", "mb2ic128ih40iw175oc256kh5kw5sh2sw2ph1pw1",
    "mb2ic256ih20iw84oc256kh3kw3sh1sw1ph1pw1",  "mb2ic256ih20iw84oc512kh5kw5sh2sw2ph1pw1",
    "mb2ic512ih10iw42oc512kh3kw3sh1sw1ph1pw1",  "mb1ic64ih112iw112oc64kh1kw1sh1sw1ph0pw0",
    "mb1ic64ih56iw56oc256kh1kw1sh1sw1ph0pw0",   "mb1ic256ih56iw56oc64kh1kw1sh1sw1ph0pw0",
    "mb1ic256ih56iw56oc128kh1kw1sh2sw2ph0pw0",  "mb1ic128ih28iw28oc512kh1kw1sh1sw1ph0pw0",
    "mb1ic512ih28iw28oc128kh1kw1sh1sw1ph0pw0",  "mb1ic512ih28iw28oc256kh1kw1sh2sw2ph0pw0",
    "mb1ic256ih14iw14oc1024kh1kw1sh1sw1ph0pw0", "mb1ic512ih28iw28oc1024kh1kw1sh2sw2ph0pw0",
    "mb1ic1024ih14iw14oc256kh1kw1sh1sw1ph0pw0", "mb1ic256ih14iw14oc1024kh1kw1sh1sw1ph0pw0",
    "mb1ic1024ih14iw14oc512kh1kw1sh2sw2ph0pw0", "mb1ic512ih7iw7oc512kh3kw3sh1sw1ph1pw1",
    "mb1ic512ih7iw7oc2048kh1kw1sh1sw1ph0pw0",   "mb1ic1024ih14iw14oc2048kh1kw1sh2sw2ph0pw0",
    "mb1ic2048ih7iw7oc512kh1kw1sh1sw1ph0pw0",   "mb2ic64ih112iw112oc64kh1kw1sh1sw1ph0pw0",
    "mb2ic64ih56iw56oc256kh1kw1sh1sw1ph0pw0",   "mb2ic256ih56iw56oc64kh1kw1sh1sw1ph0pw0",
    "mb2ic256ih56iw56oc128kh1kw1sh2sw2ph0pw0",  "mb2ic128ih28iw28oc512kh1kw1sh1sw1ph0pw0",
    "mb2ic512ih28iw28oc128kh1kw1sh1sw1ph0pw0",  "mb2ic512ih28iw28oc256kh1kw1sh2sw2ph0pw0",
    "mb2ic256ih14iw14oc1024kh1kw1sh1sw1ph0pw0", "mb2ic512ih28iw28oc1024kh1kw1sh2sw2ph0pw0",
    "mb2ic1024ih14iw14oc256kh1kw1sh1sw1ph0pw0", "mb2ic256ih14iw14oc1024kh1kw1sh1sw1ph0pw0",
    "mb2ic1024ih14iw14oc512kh1kw1sh2sw2ph0pw0", "mb2ic512ih7iw7oc512kh3kw3sh1sw1ph1pw1",
    "mb2ic512ih7iw7oc2048kh1kw1sh1sw1ph0pw0",   "mb2ic1024ih14iw14oc2048kh1kw1sh2sw2ph0pw0",
    "mb2ic2048ih7iw7oc512kh1kw1sh1sw1ph0pw0",
};

const char* const kDevice[] = {
    "mb1ic1ih40iw151oc32kh5kw20sh2sw8ph8pw8",    "mb1ic64ih112iw112oc64kh1kw1sh1sw1ph0pw0",
    "mb1ic64ih56iw56oc256kh1kw1sh1sw1ph0pw0",    "mb1ic256ih56iw56oc64kh1kw1sh1sw1ph0pw0",
    "mb1ic256ih56iw56oc128kh1kw1sh2sw2ph0pw0",   "mb1ic128ih28iw28oc512kh1kw1sh1sw1ph0pw0",
    "mb1ic512ih28iw28oc128kh1kw1sh1sw1ph0pw0",   "mb1ic512ih28iw28oc256kh1kw1sh2sw2ph0pw0",
    "mb1ic256ih14iw14oc1024kh1kw1sh1sw1ph0pw0",  "mb1ic512ih28iw28oc1024kh1kw1sh2sw2ph0pw0",
    "mb1ic1024ih14iw14oc256kh1kw1sh1sw1ph0pw0",  "mb1ic256ih14iw14oc1024kh1kw1sh1sw1ph0pw0",
    "mb1ic1024ih14iw14oc512kh1kw1sh2sw2ph0pw0",  "mb1ic512ih7iw7oc2048kh1kw1sh1sw1ph0pw0",
    "mb1ic1024ih14iw14oc2048kh1kw1sh2sw2ph0pw0", "mb1ic2048ih7iw7oc512kh1kw1sh1sw1ph0pw0",
};

const char* const kResnet50[][2] = {
    {"conv1", "mb32ic3ih224oc64kh7sh2ph3"},
    {"res2 1x1 reduce", "mb32ic64ih56oc64kh1"},
    {"res2 3x3", "mb32ic64ih56oc64kh3ph1"},
    {"res2 1x1 expand / projection", "mb32ic64ih56oc256kh1"},
    {"res2 1x1 reduce (blocks 2-3)", "mb32ic256ih56oc64kh1"},
    {"res3 1x1 reduce (block 1)", "mb32ic256ih56oc128kh1"},
    {"res3 3x3 stride 2", "mb32ic128ih56oc128kh3sh2ph1"},
    {"res3 1x1 expand", "mb32ic128ih28oc512kh1"},
    {"res3 projection", "mb32ic256ih56oc512kh1sh2"},
    {"res3 1x1 reduce (blocks 2-4)", "mb32ic512ih28oc128kh1"},
    {"res3 3x3", "mb32ic128ih28oc128kh3ph1"},
    {"res4 1x1 reduce (block 1)", "mb32ic512ih28oc256kh1"},
    {"res4 3x3 stride 2", "mb32ic256ih28oc256kh3sh2ph1"},
    {"res4 1x1 expand", "mb32ic256ih14oc1024kh1"},
    {"res4 projection", "mb32ic512ih28oc1024kh1sh2"},
    {"res4 1x1 reduce (blocks 2-6)", "mb32ic1024ih14oc256kh1"},
    {"res4 3x3", "mb32ic256ih14oc256kh3ph1"},
    {"res5 1x1 reduce (block 1)", "mb32ic1024ih14oc512kh1"},
    {"res5 3x3 stride 2", "mb32ic512ih14oc512kh3sh2ph1"},
    {"res5 1x1 expand", "mb32ic512ih7oc2048kh1"},
    {"res5 projection", "mb32ic1024ih14oc2048kh1sh2"},
    {"res5 1x1 reduce (blocks 2-3)", "mb32ic2048ih7oc512kh1"},
    {"res5 3x3", "mb32ic512ih7oc512kh3ph1"},
};

template <size_t N>
std::vector<SuiteEntry> entries(const char* const (&descriptors)[N], const char* prefix) {
  std::vector<SuiteEntry> v;
  for (size_t i = 0; i < N; ++i) v.push_back({std::string(prefix) + " #" + std::to_string(i + 1), descriptors[i]});
  return v;
}

}  // namespace

const std::vector<Suite>& suites() {
  static const std::vector<Suite> all = [] {
    std::vector<Suite> s;
    s.push_back({"deepbench-training", "DeepBench convolution training set", entries(kTraining, "training")});
    s.push_back(
        {"deepbench-inference-server", "DeepBench convolution inference set, server", entries(kServer, "server")});
    s.push_back(
        {"deepbench-inference-device", "DeepBench convolution inference set, device", entries(kDevice, "device")});
    Suite r{"resnet50", "ResNet-50 v1.5 convolution layers, batch 32, 224x224 input", {}};
    for (const auto& e : kResnet50) r.entries.push_back({e[0], e[1]});
    s.push_back(std::move(r));
    return s;
  }();
  return all;
}

const Suite* find_suite(const std::string& name) {
  for (const Suite& s : suites())
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace convbench
