// The persistent tuning cache, with fake rebuild and search steps (no GPU needed).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "convbench/tune_cache.hpp"
#include "in_processes.hpp"
#include "scratch_dir.hpp"

using namespace convbench;

namespace {

TuneKey key(const std::string& problem = "--batch 100 --layout nhwc --dtype f32") {
  return {"GPU-1234", "580.159.04", "9.19.0", "1.32.0", problem, "auto", "auto"};
}

TunedEngine engine(int64_t id, double ms) { return {id, {{3, 1}, {7, 4}}, "eng" + std::to_string(id) + "_k3=1", ms}; }

}  // namespace

TEST(TuneCache, StoredEntriesComeBackInALaterProcessAndOthersAreKept) {
  const convbench::testing::ScratchDir d("tune");
  const std::string path = d.path + "/convbench/tuning.json";  // the directory is created
  {
    TuneCache c(path);
    c.store(key("a"), engine(12, 0.5));
    c.store(key("b"), engine(7, 0.25));
    EXPECT_TRUE(c.take_warnings().empty());
  }
  TuneCache again(path);
  const auto a = again.find(key("a"));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->engine_id, 12);
  EXPECT_EQ(a->knobs, (std::map<int, int64_t>{{3, 1}, {7, 4}}));
  EXPECT_EQ(a->name, "eng12_k3=1");
  EXPECT_DOUBLE_EQ(a->median_ms, 0.5);
  ASSERT_TRUE(again.find(key("b")).has_value());
  EXPECT_FALSE(again.find(key("c")).has_value());
  // No temporary file is left beside it.
  EXPECT_NE(access((path + ".tmp-" + std::to_string(getpid())).c_str(), F_OK), 0);
}

TEST(TuneCache, EveryKeyFieldSeparatesEntries) {
  const TuneKey base = key();
  std::vector<TuneKey> variants(7, base);
  variants[0].gpu = "GPU-other";
  variants[1].driver = "590.1";
  variants[2].cudnn = "9.20.0";
  variants[3].frontend = "1.33.0";
  variants[4].problem += " --seed 2";
  variants[5].workspace = "1048576";
  variants[6].policy = "exhaustive";
  const convbench::testing::ScratchDir d("tune");
  TuneCache c(d.path + "/t.json");
  c.store(base, engine(1, 1));
  for (const TuneKey& v : variants) {
    EXPECT_NE(v.text(), base.text());
    EXPECT_FALSE(c.find(v).has_value()) << v.text();
  }
}

TEST(TuneCache, ACorruptOrForeignFileIsOneWarningNeverFatal) {
  const convbench::testing::ScratchDir d("tune");
  for (const std::string& content :
       {std::string("{not json"), std::string("[]"), std::string(R"({"format":"other","version":1,"entries":{}})"),
        std::string(R"({"format":"convbench-tuning-cache","version":1,"entries":{"k":{"engine_id":"x"}}})")}) {
    const std::string path = d.path + "/bad.json";
    std::ofstream(path) << content;
    TuneCache c(path);
    EXPECT_FALSE(c.find(key()).has_value());
    const auto w = c.take_warnings();
    ASSERT_EQ(w.size(), 1u) << content;
    EXPECT_EQ(w[0].rfind("tuning cache " + path + " is corrupt (", 0), 0u) << w[0];
    EXPECT_NE(w[0].find("; ignoring it"), std::string::npos) << w[0];
    // Storing replaces the corrupt file with a valid one.
    c.store(key(), engine(3, 1));
    TuneCache again(path);
    EXPECT_TRUE(again.find(key()).has_value());
    EXPECT_TRUE(again.take_warnings().empty());
  }
}

TEST(TuneCache, AFileThatCannotBeWrittenIsAWarning) {
  TuneCache c("/proc/convbench-cannot-exist/tuning.json");
  c.store(key(), engine(1, 1));
  const auto w = c.take_warnings();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0], "tuning cache /proc/convbench-cannot-exist/tuning.json cannot be written; the choice is not kept");
}

TEST(TuneCache, APipeOrDeviceIsNotUsedWithOneWarningAndNeverBlocks) {
  const convbench::testing::ScratchDir d("tune");
  const std::string fifo = d.path + "/pipe.json";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  alarm(20);  // a read or write that blocks on the pipe ends the test here instead of hanging it
  for (const std::string& path : {fifo, std::string("/dev/null")}) {
    TuneCache c(path);
    EXPECT_FALSE(c.find(key()).has_value());
    c.store(key(), engine(1, 1));
    EXPECT_FALSE(c.enabled());
    EXPECT_EQ(c.take_warnings(),
              std::vector<std::string>{"tuning cache " + path + " is not a regular file; it is not used"});
  }
  alarm(0);
  EXPECT_NE(access((fifo + ".lock").c_str(), F_OK), 0) << "no lock file beside a pipe";
}

TEST(TuneCache, OffReadsAndWritesNothing) {
  TuneCache c("");
  EXPECT_FALSE(c.enabled());
  c.store(key(), engine(1, 1));
  EXPECT_FALSE(c.find(key()).has_value());
  EXPECT_TRUE(c.take_warnings().empty());
}

TEST(TuneCache, DefaultPathFollowsXdgCacheHomeThenHome) {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const std::string saved = xdg ? xdg : "";
  setenv("XDG_CACHE_HOME", "/x/cache", 1);
  EXPECT_EQ(TuneCache::default_path(), "/x/cache/convbench/tuning.json");
  unsetenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  const std::string under_home = home && *home ? std::string(home) + "/.cache/convbench/tuning.json" : "";
  EXPECT_EQ(TuneCache::default_path(), under_home);
  // Set but empty counts as unset (the XDG base directory rules), not as the root folder.
  setenv("XDG_CACHE_HOME", "", 1);
  EXPECT_EQ(TuneCache::default_path(), under_home);
  unsetenv("XDG_CACHE_HOME");
  if (!saved.empty()) setenv("XDG_CACHE_HOME", saved.c_str(), 1);
}

TEST(EngineTag, ANameGivesItsEngineAndKnobsInCudnnsNumbering) {
  const auto t = parse_engine_tag("eng28_k2=4_k3=0");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->engine_id, 28);
  const std::vector<std::pair<int, int64_t>> want{{2, 4}, {3, 0}};
  EXPECT_EQ(t->knobs, want);
  const auto bare = parse_engine_tag("eng63");
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->engine_id, 63);
  EXPECT_TRUE(bare->knobs.empty());
  const auto neg = parse_engine_tag("eng67_k2=16_k13=0_k27=-1");
  ASSERT_TRUE(neg.has_value());
  EXPECT_EQ(neg->knobs.size(), 3u);
  EXPECT_EQ(neg->knobs[1], (std::pair<int, int64_t>{13, 0}));
  EXPECT_EQ(neg->knobs[2], (std::pair<int, int64_t>{27, -1}));
}

TEST(EngineTag, AnythingElseIsNotATag) {
  for (const char* bad : {"", "eng", "eng_k2=4", "eng28_", "eng28_k2", "eng28_k2=", "eng28_k=4", "eng28_k2=4x",
                          "eng28k2=4", "ENG28", "eng-1", "eng28_k-2=4", "eng1234567890123", "eng28_k2=4_"})
    EXPECT_FALSE(parse_engine_tag(bad).has_value()) << bad;
}

TEST(ChooseWithCache, SearchesOnceThenRebuildsTheCachedEngine) {
  const convbench::testing::ScratchDir d("tune");
  TuneCache c(d.path + "/t.json");
  int searches = 0, rebuilds = 0;
  const auto search = [&] {
    ++searches;
    return engine(42, 0.3);
  };
  const auto rebuild = [&](const TunedEngine& e) {
    ++rebuilds;
    EXPECT_EQ(e.engine_id, 42);
    return true;
  };
  const TunedChoice first = choose_with_cache(c, key(), false, rebuild, search);
  EXPECT_FALSE(first.from_cache);
  EXPECT_EQ(searches, 1);
  EXPECT_EQ(rebuilds, 0);
  TuneCache later(d.path + "/t.json");  // as a later process sees it
  const TunedChoice second = choose_with_cache(later, key(), false, rebuild, search);
  EXPECT_TRUE(second.from_cache);
  EXPECT_EQ(second.engine.engine_id, 42);
  EXPECT_EQ(searches, 1);
  EXPECT_EQ(rebuilds, 1);
}

TEST(ChooseWithCache, RetuneSearchesAgainAndOverwrites) {
  const convbench::testing::ScratchDir d("tune");
  TuneCache c(d.path + "/t.json");
  c.store(key(), engine(1, 9.0));
  int rebuilds = 0;
  const TunedChoice t = choose_with_cache(
      c, key(), true, [&](const TunedEngine&) { return ++rebuilds, true; }, [] { return engine(2, 1.0); });
  EXPECT_FALSE(t.from_cache);
  EXPECT_EQ(rebuilds, 0);
  TuneCache later(d.path + "/t.json");
  EXPECT_EQ(later.find(key())->engine_id, 2);
}

TEST(ChooseWithCache, ACachedEngineThatNoLongerBuildsIsSearchedAgainWithOneWarning) {
  const convbench::testing::ScratchDir d("tune");
  TuneCache c(d.path + "/t.json");
  c.store(key(), engine(5, 1.0));
  const TunedChoice t = choose_with_cache(
      c, key(), false, [](const TunedEngine&) { return false; }, [] { return engine(6, 2.0); });
  EXPECT_FALSE(t.from_cache);
  EXPECT_EQ(t.engine.engine_id, 6);
  const auto w = c.take_warnings();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0], "the engine in the tuning cache (eng5_k3=1) no longer builds; searching again");
  EXPECT_EQ(TuneCache(d.path + "/t.json").find(key())->engine_id, 6);
}

TEST(ChooseWithCache, AFailedSearchStoresNothing) {
  const convbench::testing::ScratchDir d("tune");
  TuneCache c(d.path + "/t.json");
  EXPECT_THROW(choose_with_cache(
                   c, key(), false, [](const TunedEngine&) { return true; },
                   []() -> TunedEngine { throw std::runtime_error("no engine"); }),
               std::runtime_error);
  EXPECT_NE(access((d.path + "/t.json").c_str(), F_OK), 0);
}

TEST(TuneCache, TwoProcessesThatStoreKeepEachOthersEntries) {
  // Ranks of one job on one node share a home directory: each reads the file at its start, searches, then
  // stores. The second store must not drop the first's entry.
  const convbench::testing::ScratchDir d("tune");
  const std::string path = d.path + "/tuning.json";
  TuneCache a(path), b(path);
  EXPECT_FALSE(a.find(key("x")).has_value());  // both read the (missing) file before either stores
  EXPECT_FALSE(b.find(key("x")).has_value());
  a.store(key("rank 0"), engine(1, 0.5));
  b.store(key("rank 1"), engine(2, 0.5));
  TuneCache later(path);
  EXPECT_TRUE(later.find(key("rank 0")).has_value());
  EXPECT_TRUE(later.find(key("rank 1")).has_value());
}

TEST(TuneCache, AnEntryAnotherProcessRetunedIsNotPutBackByAStaleCopy) {
  const convbench::testing::ScratchDir d("tune");
  const std::string path = d.path + "/tuning.json";
  TuneCache(path).store(key("seed"), engine(1, 0.5));
  TuneCache stale(path), retuner(path);
  ASSERT_EQ(stale.find(key("seed"))->engine_id, 1);  // read before the retune
  retuner.store(key("seed"), engine(9, 0.4));        // --retune in another process
  stale.store(key("other"), engine(3, 0.2));
  TuneCache later(path);
  EXPECT_EQ(later.find(key("seed"))->engine_id, 9);
  EXPECT_EQ(later.find(key("other"))->engine_id, 3);
}

TEST(TuneCache, ProcessesStoringAtOnceLoseNoEntry) {
  const convbench::testing::ScratchDir d("tune");
  const std::string path = d.path + "/tuning.json";
  constexpr int kProcesses = 8, kEach = 5;
  convbench::testing::in_processes(kProcesses, [&](int p) {
    TuneCache c(path);
    for (int i = 0; i < kEach; ++i) c.store(key(fmt::format("p{} i{}", p, i)), engine(p * 100 + i, 0.1));
    return c.take_warnings().empty() ? 0 : 1;  // 1: a store warned
  });
  TuneCache later(path);
  for (int p = 0; p < kProcesses; ++p)
    for (int i = 0; i < kEach; ++i)
      EXPECT_EQ(later.find(key(fmt::format("p{} i{}", p, i))).value_or(TunedEngine{}).engine_id, p * 100 + i)
          << p << " " << i;
}
