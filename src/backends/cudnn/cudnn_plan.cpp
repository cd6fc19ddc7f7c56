// The cuDNN backend's graph and engine choice: the heuristics queries, de-duplicated candidates built one by
// one, the timed search with the tuning cache in front of it, and the mapping of frontend statuses.
#include <fmt/ranges.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <set>

#include "backends/cudnn/cudnn_conv.hpp"

namespace convbench::cudnn_impl {

fe::error_t ReplayableGraph::add_engine_config(const EngineTag& named) {
  namespace d = fe::detail;
  const auto failed = [](std::string what) {
    return fe::error_t{fe::error_code_t::CUDNN_BACKEND_API_FAILED, std::move(what)};
  };
  if (named.knobs.size() > CUDNN_KNOB_TYPE_COUNTS) return failed("more knobs than cuDNN has types");
  d::backend_descriptor engine(CUDNN_BACKEND_ENGINE_DESCRIPTOR);
  if (engine.get_status() != CUDNN_STATUS_SUCCESS) return failed("creating an engine descriptor failed");
  if (fe::error_t e = d::create_engine(engine, named.engine_id, operation_graph->get_raw_desc(), device_properties);
      e.is_bad())
    return e;
  std::vector<d::backend_descriptor> choices;
  for (const auto& [type, value] : named.knobs) {
    d::backend_descriptor c(CUDNN_BACKEND_KNOB_CHOICE_DESCRIPTOR);
    const auto backend_type = static_cast<cudnnBackendKnobType_t>(type);
    const int64_t choice = value;
    if (c.get_status() != CUDNN_STATUS_SUCCESS ||
        d::set_attribute(c.get_ptr(), CUDNN_ATTR_KNOB_CHOICE_KNOB_TYPE, CUDNN_TYPE_KNOB_TYPE, 1, &backend_type) !=
            CUDNN_STATUS_SUCCESS ||
        d::set_attribute(c.get_ptr(), CUDNN_ATTR_KNOB_CHOICE_KNOB_VALUE, CUDNN_TYPE_INT64, 1, &choice) !=
            CUDNN_STATUS_SUCCESS ||
        d::finalize(c.get_ptr()) != CUDNN_STATUS_SUCCESS)
      return failed(fmt::format("cuDNN refused knob k{}={}", type, value));
    choices.push_back(std::move(c));
  }
  auto config = fe::make_shared_backend_pointer(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR);
  if (fe::error_t e = d::create_engine_config(config, engine, choices); e.is_bad()) return e;
  plans.set_tag(operation_graph->getTag());  // as a heuristics query leaves it, for the plan's own tag
  plans.enqueue_engine_configs({config});
  return plans.query_properties();
}

void CudnnConv::build_graph() {
  const Problem& p = p_;
  graph_ = std::make_unique<ReplayableGraph>();
  fe::graph::Graph& g = *graph_;
  g.set_io_data_type(io_type(p.dtype)).set_compute_data_type(fe::DataType_t::FLOAT);
  g.set_sm_version(probe_.facts.cc_major * 10 + probe_.facts.cc_minor);  // saves the frontend a CUDA runtime lookup
  // convbench never captures CUDA graphs: without this, every execute of a runtime-compiled engine asks the
  // frontend's own libcudart whether the stream is capturing.
  g.set_cuda_graph_retention(fe::CudaGraphRetention_t::NONE);
  const int64_t cg = p.c / p.groups;
  auto x = g.tensor(fe::graph::Tensor_attributes()
                        .set_name("x")
                        .set_uid(kX)
                        .set_dim({p.n, p.c, p.h, p.w})
                        .set_stride(strides(p.layout, p.c, p.h, p.w)));
  auto w = g.tensor(fe::graph::Tensor_attributes()
                        .set_name("w")
                        .set_uid(kW)
                        .set_dim({p.k, cg, p.r, p.s})
                        .set_stride(strides(p.layout, cg, p.r, p.s)));
  auto conv = fe::graph::Conv_fprop_attributes()
                  .set_name("conv")
                  .set_pre_padding({p.pad_top, p.pad_left})
                  .set_post_padding({p.pad_bottom, p.pad_right})
                  .set_stride({p.stride_h, p.stride_w})
                  .set_dilation({p.dil_h, p.dil_w});
  auto y = g.conv_fprop(x, w, conv);
  y->set_output(true)
      .set_uid(kY)
      .set_data_type(io_type(p.dtype))
      .set_dim({p.n, p.k, p.out_h(), p.out_w()})
      .set_stride(strides(p.layout, p.k, p.out_h(), p.out_w()));
  graph_status(g.validate(), "validate");
  graph_status(g.build_operation_graph(handle_->get()), "build_operation_graph");
}

int64_t CudnnConv::workspace_limit() const {
  size_t free = 0, total = 0;
  CB_CUDA_CHECK(cudaMemGetInfo(&free, &total));
  int64_t limit = static_cast<int64_t>(static_cast<double>(free) * 0.9);
  if (settings_.workspace_limit >= 0) limit = std::min(limit, settings_.workspace_limit);
  return limit;
}

TuneKey CudnnConv::tune_key() const {
  const auto& f = probe_.facts;
  return {
      f.uuid.empty() ? fmt::format("{} sm_{}{}", f.name, f.cc_major, f.cc_minor) : f.uuid,
      probe_.driver_release.empty() ? cuda_version_string(probe_.driver_version) : probe_.driver_release,
      cudnn_version_string(probe_.cudnn_version),
      fmt::format("{}.{}.{}", CUDNN_FRONTEND_MAJOR_VERSION, CUDNN_FRONTEND_MINOR_VERSION, CUDNN_FRONTEND_PATCH_VERSION),
      p_.describe(),
      settings_.workspace_limit < 0 ? "auto" : std::to_string(settings_.workspace_limit),
      settings_.algo == AlgoSearch::exhaustive ? "exhaustive" : "auto"};
}

void CudnnConv::choose_plan(PrepareReport& rep) {
  const int64_t limit = workspace_limit();
  std::string how;
  if (settings_.algo == AlgoSearch::heuristic) {
    const std::vector<Candidate> offered = offer_candidates(false, limit);
    for (Candidate c : offered) {
      if (!use_if_it_runs(c, limit)) continue;
      rep.details.emplace_back("source", c.source);
      if (std::string(c.source) == "fallback list")
        rep.warnings.push_back(
            "the engine came from cuDNN's fallback list, not its heuristics: it is likely far from the fastest");
      break;
    }
    if (choice_.plan_index < 0) throw_no_plan("no offered engine config built and ran");
    how = fmt::format("heuristic, first of {} offered that builds and runs", offered.size());
  } else {
    SearchStats stats;
    const TunedChoice choice = choose_with_cache(
        cache_, tune_key(), settings_.retune, [&](const TunedEngine& e) { return rebuild(e, limit); },
        [&] { return search(limit, stats); });
    if (choice.from_cache) {
      rep.details.emplace_back("source", "tuning cache");
      if (!choice_.cache_replay_note.empty()) rep.details.emplace_back("cache", choice_.cache_replay_note);
      how = fmt::format("engine from cache ({}; searched earlier, {:.3f} ms then)", cache_.path(),
                        choice.engine.median_ms);
    } else {
      rep.details.emplace_back("source", choice_.search_source);
      how =
          fmt::format("{}, fastest of {} configs timed ({} offered, {} distinct, {} built, {} cut short) in {:.0f} ms",
                      settings_.algo == AlgoSearch::exhaustive ? "exhaustive" : "auto", stats.timed, stats.offered,
                      stats.distinct, stats.built, stats.cut_short, stats.ms);
      rep.details.emplace_back("search", fmt::format("{}", fmt::join(stats.lines, "; ")));
    }
  }
  std::string name;
  CB_FE_CHECK(graph_->get_plan_name_at_index(choice_.plan_index, name));
  int64_t ws = 0;
  CB_FE_CHECK(graph_->get_workspace_size_plan_at_index(choice_.plan_index, ws));
  rep.implementation = name;
  rep.details.emplace_back("workspace", fmt::format("{} bytes", ws));
  rep.details.emplace_back("algo", how);
}

std::vector<Candidate> CudnnConv::offer_candidates(bool wide, int64_t limit, SearchStats* stats) {
  fe::graph::Graph& g = *graph_;
  const int64_t first = g.get_execution_plan_count();  // a replayed cache entry may already be there
  std::vector<const char*> source_of;
  std::string failures, library_failure;
  const auto query = [&](fe::HeurMode_t mode, const char* source) {
    const int64_t before = g.get_execution_plan_count();
    fe::error_t e;
    try {
      e = g.create_execution_plans({mode});
    } catch (const std::exception& ex) {
      e = {fe::error_code_t::CUDNN_BACKEND_API_FAILED, ex.what()};  // a throw is a failure, not "unsupported"
    }
    if (e.is_bad()) {
      failures += fmt::format("; {}: {}", source, e.get_message());
      if (!means_unsupported(e) && library_failure.empty()) library_failure = source + (": " + e.get_message());
    }
    const int64_t after = g.get_execution_plan_count();
    for (int64_t i = before; i < after; ++i) source_of.push_back(source);
    return after > before;
  };
  const bool from_a = query(fe::HeurMode_t::A, "heuristics mode A");
  if (wide) {
    query(fe::HeurMode_t::FALLBACK, "fallback list");
    query(fe::HeurMode_t::B, "heuristics mode B");
  } else if (!from_a) {
    query(fe::HeurMode_t::FALLBACK, "fallback list");
  }
  if (source_of.empty()) {
    if (!library_failure.empty()) throw LibraryError("cuDNN: the heuristics query failed: " + library_failure);
    throw no_engine("no engine config was offered" + failures);
  }
  g.deselect_numeric_notes(barred_notes(p_.dtype));
  g.deselect_workspace_greater_than(limit);
  std::vector<Candidate> out;
  std::set<std::string> seen;
  for (int64_t i = 0; i < static_cast<int64_t>(source_of.size()); ++i) {
    std::string name;
    if (g.get_plan_name_at_index(first + i, name).is_bad() || !seen.insert(name).second) continue;
    out.push_back({first + i, name, source_of[static_cast<size_t>(i)]});
  }
  if (stats) stats->offered = static_cast<int>(source_of.size()), stats->distinct = static_cast<int>(out.size());
  return out;
}

bool CudnnConv::try_build(Candidate& c, int64_t limit) {
  try {
    if (fe::error_t e = graph_->build_plan_at_index(c.index); e.is_bad()) {
      if (!means_unsupported(e) && choice_.build_failure.empty())
        choice_.build_failure = fmt::format("building {} failed: {}", c.name, e.get_message());
      return false;
    }
    return graph_->get_workspace_size_plan_at_index(c.index, c.workspace).is_good() && c.workspace <= limit;
  } catch (const std::exception& e) {
    if (choice_.build_failure.empty()) choice_.build_failure = fmt::format("building {} threw: {}", c.name, e.what());
    return false;
  }
}

bool CudnnConv::allocate_workspace(int64_t bytes) {
  if (static_cast<size_t>(bytes) <= workspace_.bytes()) return true;
  try {
    workspace_ = cuda::DeviceBuffer();
    workspace_ = cuda::DeviceBuffer(static_cast<size_t>(bytes));
    return true;
  } catch (const Error& e) {
    if (e.code() != ExitCode::out_of_memory) throw;
    return false;
  }
}

bool CudnnConv::try_execute(int64_t index) {
  try {
    if (graph_->execute_plan_at_index(handle_->get(), varpack_, workspace_.get(), index).is_bad()) return false;
    return cudaStreamSynchronize(stream_->get()) == cudaSuccess;
  } catch (const std::exception&) {
    return false;
  }
}

std::string CudnnConv::replay(const TunedEngine& e, int64_t limit) {
  try {
    fe::error_t added;
    if (const std::optional<EngineTag> tag = parse_engine_tag(e.name)) {
      added = graph_->add_engine_config(*tag);
    } else {
      std::unordered_map<fe::KnobType_t, int64_t> knobs;
      for (const auto& [type, choice] : e.knobs) knobs[static_cast<fe::KnobType_t>(type)] = choice;
      added = graph_->create_execution_plan(e.engine_id, knobs);
    }
    if (added.is_bad()) return added.get_message();
    Candidate c{graph_->get_execution_plan_count() - 1, e.name, "tuning cache"};
    std::string name;
    if (fe::error_t n = graph_->get_plan_name_at_index(c.index, name); n.is_bad()) return n.get_message();
    if (name != e.name) return "the replayed config is " + name;
    if (use_if_it_runs(c, limit)) return "";
    return choice_.build_failure.empty() ? "it did not build or run" : choice_.build_failure;
  } catch (const std::exception& ex) {
    return ex.what();
  }
}

bool CudnnConv::rebuild(const TunedEngine& e, int64_t limit) {
  const std::string replay_failure = replay(e, limit);
  if (replay_failure.empty()) return true;
  // Then the same name among the configs cuDNN offers (a heuristics query first, so it costs more).
  if (!use_offered_by_name(e.name, limit)) return false;
  choice_.cache_replay_note =
      "replaying the engine and knobs of its name failed (" + replay_failure + "); found by name instead";
  return true;
}

bool CudnnConv::use_offered_by_name(const std::string& name, int64_t limit) {
  fe::graph::Graph& g = *graph_;
  for (const fe::HeurMode_t mode : {fe::HeurMode_t::A, fe::HeurMode_t::FALLBACK, fe::HeurMode_t::B}) {
    const int64_t before = g.get_execution_plan_count();
    try {
      if (g.create_execution_plans({mode}).is_bad()) continue;
    } catch (const std::exception&) {
      continue;
    }
    g.deselect_numeric_notes(barred_notes(p_.dtype));  // as in a search: a barred config is not used
    for (int64_t i = before; i < g.get_execution_plan_count(); ++i) {
      std::string n;
      if (g.get_plan_name_at_index(i, n).is_bad() || n != name) continue;
      Candidate c{i, n, "tuning cache"};
      return use_if_it_runs(c, limit);
    }
  }
  return false;
}

bool CudnnConv::use_if_it_runs(Candidate& c, int64_t limit) {
  if (!try_build(c, limit) || !allocate_workspace(c.workspace) || !try_execute(c.index)) return false;
  choice_.plan_index = c.index;
  return true;
}

std::vector<Candidate> CudnnConv::build_candidates(int64_t limit, SearchStats& stats) {
  const bool exhaustive = settings_.algo == AlgoSearch::exhaustive;
  std::vector<Candidate> built;
  for (Candidate c : offer_candidates(true, limit, &stats)) {
    if (!exhaustive && static_cast<int>(built.size()) >= kAutoCandidates) break;
    if (try_build(c, limit)) built.push_back(c);
  }
  stats.built = static_cast<int>(built.size());
  if (built.empty()) throw_no_plan("no offered engine config could be built");
  // One workspace for all; when the largest cannot be allocated, drop the plans that need it.
  for (;;) {
    int64_t max_ws = 0;
    for (const Candidate& c : built) max_ws = std::max(max_ws, c.workspace);
    if (allocate_workspace(max_ws)) break;
    built.erase(std::remove_if(built.begin(), built.end(), [&](const Candidate& c) { return c.workspace == max_ws; }),
                built.end());
    if (built.empty())
      throw Error(ExitCode::out_of_memory, "out of GPU memory: no engine's workspace can be allocated");
  }
  return built;
}

std::optional<double> CudnnConv::time_candidate(const Candidate& c, double best_ms, SearchStats& stats,
                                                CandidateTiming& t) {
  // The first run is not timed and not queued behind the gate: it loads the engine's kernels, which can
  // wait for the stream, and it drops a config that does not run.
  if (!try_execute(c.index)) {
    stats.lines.push_back(c.name + " failed to run");
    return std::nullopt;
  }
  try {
    const auto run_c = [&](int) { execute(c.index); };
    const auto timed = [&](int count) {  // the first batch that could not be held says which call waited
      std::vector<double> ms = timer_->time(count, nullptr, run_c, t.gated);
      if (!t.gated && t.waited.empty()) t.waited = timer_->waited();
      return ms;
    };
    const double warm = timed(1).front();
    if (warm > kSlowWarmupFactor * best_ms) {
      ++stats.cut_short;
      stats.lines.push_back(fmt::format("{} cut ({:.4f} ms warm-up)", c.name, warm));
      return std::nullopt;
    }
    std::vector<double> ms = timed(3);
    std::sort(ms.begin(), ms.end());
    ++stats.timed;
    stats.lines.push_back(fmt::format("{} {:.4f} ms{}", c.name, ms[1], t.gated ? "" : " (not held)"));
    return ms[1];
  } catch (const std::exception&) {
    CB_CUDA_CHECK(cudaStreamSynchronize(stream_->get()));  // a sticky CUDA error ends the search here
    stats.lines.push_back(c.name + " failed to run");
    return std::nullopt;
  }
}

TunedEngine CudnnConv::search(int64_t limit, SearchStats& stats) {
  const auto t0 = Clock::now();
  const std::vector<Candidate> built = build_candidates(limit, stats);
  const Candidate* best = nullptr;
  double best_ms = std::numeric_limits<double>::infinity();
  CandidateTiming best_timing;
  for (const Candidate& c : built) {
    CandidateTiming t{gated_, {}};  // each candidate's own gate: one that waits does not ungate the others
    const std::optional<double> ms = time_candidate(c, best_ms, stats, t);
    if (ms && *ms < best_ms) best_ms = *ms, best = &c, best_timing = t;
  }
  stats.ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (!best) throw no_engine("every engine config that built failed to run");
  if (!best_timing.gated) gated_ = false, waited_ = best_timing.waited;
  choice_.plan_index = best->index;
  choice_.search_source = fmt::format("fastest timed (offered by {})", best->source);
  TunedEngine t;
  std::unordered_map<fe::KnobType_t, int64_t> knobs;
  CB_FE_CHECK(graph_->get_engine_and_knobs_at_index(best->index, t.engine_id, knobs));
  for (const auto& [type, choice] : knobs) t.knobs[static_cast<int>(type)] = choice;
  t.name = best->name;
  t.median_ms = best_ms;
  return t;
}

}  // namespace convbench::cudnn_impl
