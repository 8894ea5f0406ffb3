// The collector's engine thread (see live_thread.h).
#include "collector/live_thread.h"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <set>
#include <vector>

#include "collector/engine/graph.h"
#include "collector/engine/node_timelines.h"
#include "collector/engine/result_ingest.h"
#include "collector/live/live_subjects.h"
#include "collector/live/store_reports.h"

namespace slamon::collector {
namespace {

// Steps per wake before the thread looks at staleness and the snapshot again.
constexpr int kStepsPerWake = 64;
// Probes named per agent in a staleness line.
constexpr std::size_t kNamedProbes = 5;

}  // namespace

LiveThread::LiveThread(store::Store& store, store::EngineStore& engine_store, const Clock& clock,
                       LiveThreadOptions options, std::shared_ptr<spdlog::logger> log)
    : store_(store), engine_store_(engine_store), clock_(clock), options_(options), log_(std::move(log)) {}

LiveThread::~LiveThread() { stop(); }

void LiveThread::set_election(store::Election* election, store::FencedWrites* fence) {
  election_ = election;
  fence_ = fence;
  if (election_) {
    leadership_ = store::Leadership{};  // a follower until the first poll says otherwise
    if (fence_) fence_->fence(store::FencedWrites::kNoEpoch);
  }
}

void LiveThread::start(std::shared_ptr<const catalogue::Catalogue> cat) {
  {
    std::lock_guard lock(mutex_);
    next_catalogue_ = std::move(cat);
  }
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void LiveThread::set_catalogue(std::shared_ptr<const catalogue::Catalogue> cat) {
  {
    std::lock_guard lock(mutex_);
    next_catalogue_ = std::move(cat);
  }
  wake_.notify_one();
}

void LiveThread::notify() {
  {
    std::lock_guard lock(mutex_);
    news_ = true;
  }
  wake_.notify_one();
}

void LiveThread::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const LiveSnapshot> LiveThread::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

void LiveThread::catch_up(live::LiveEngine& engine, const catalogue::Catalogue& cat) {
  bool changed = false, more = false;
  std::size_t arrivals = 0, replayed = 0;
  for (int i = 0; i < kStepsPerWake; ++i) {
    const auto r = engine.step();
    if (election_ && leadership_.leader && !wrote_as_leader_) {
      wrote_as_leader_ = true;  // the takeover is complete (bench/pg_failover_bench.sh times it)
      log_->info("engine: first write as the leader persisted (epoch {}, position {}/{})", leadership_.epoch,
                 engine.position().result_row, engine.position().gap_row);
    }
    arrivals += r.arrivals;
    replayed += r.replayed;
    changed = changed || !r.changed.empty() || r.reloaded;
    if (r.reloaded) {
      // (A follower's in-memory engine sees the leader's commits so: not news.)
      if (leadership_.leader)
        log_->info("another process applied results to the store: the engine's state was read again");
      else
        log_->debug("the leader applied results: the engine's state was read again");
    }
    more = r.more;
    if (!more) break;
  }
  if (more) {
    std::lock_guard lock(mutex_);
    news_ = true;  // more to do: come back at once, after a look at staleness and the snapshot
  }
  if (arrivals > 0 || replayed > 0)
    log_->debug("engine: {} arrival(s) applied, {} probe(s) replayed, {} still to replay", arrivals, replayed,
                engine.dirty());
  // A backlog (a start after downtime, a large import, a back-fill): said when it begins and ends.
  if (more && !behind_) {
    behind_ = Backlog{std::chrono::steady_clock::now(), clock_.now_ms(), 0, 0};
    log_->info("engine: catching up with the store (position {}/{})", engine.position().result_row,
               engine.position().gap_row);
  }
  if (behind_) {
    behind_->arrivals += arrivals;
    behind_->replayed += replayed;
    if (!more) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                            behind_->since).count();
      log_->info("engine: caught up: {} arrival(s) applied, {} probe replay(s), in {} ms", behind_->arrivals,
                 behind_->replayed, ms);
      behind_.reset();
    }
  }
  if (changed || arrivals > 0) publish(engine, cat, clock_.now_ms(), true);
}

void LiveThread::publish(live::LiveEngine& engine, const catalogue::Catalogue& cat, TimeMs now, bool log_changes) {
  auto snap = std::make_shared<LiveSnapshot>();
  snap->as_of = now;
  snap->leader = leadership_.leader;
  snap->leader_epoch = leadership_.epoch;
  snap->position = engine.position();
  if (behind_) snap->catching_up_since = behind_->since_ms;
  // Each probe's latest change points: enough for every node's status now, and since when (as far as
  // those points reach back).
  engine::ProbeDataMap data;
  for (const auto& ci : cat.cis)
    for (const auto& p : ci.probes) {
      const auto pn = engine.probe_now(p.id, now);
      NodeNow n;
      if (pn) n = NodeNow{pn->status, pn->since};
      snap->probes.emplace(p.id, n);
      data[p.id].timeline = engine.recent_timeline(p.id, now);
    }
  engine::NodeTimelines timelines(*graph_, data);
  auto node_now = [&](const std::string& id) {
    NodeNow n;
    const int i = graph_->find(id);
    if (i < 0) return n;
    const auto& tl = timelines.status(i);
    const auto it = std::upper_bound(tl.begin(), tl.end(), now,
                                     [](TimeMs t, const engine::StatusPoint& p) { return t < p.t; });
    if (it != tl.begin()) n = NodeNow{std::prev(it)->status, std::prev(it)->t};
    return n;
  };
  for (const auto& s : cat.services) snap->nodes.emplace(s.id, node_now(s.id));
  for (const auto& c : cat.cis) snap->nodes.emplace(c.id, node_now(c.id));

  std::shared_ptr<const LiveSnapshot> before;
  {
    std::lock_guard lock(mutex_);
    before = snapshot_;
    snapshot_ = snap;
  }
  if (!log_changes) return;
  // The summary once, the first time the engine has results (before that every node is unknown);
  // then each change.
  if (!summarised_) {
    if (snap->position.result_row == 0 && snap->position.gap_row == 0) return;
    summarised_ = true;
    std::map<Status, int> count;
    for (const auto& s : cat.services) ++count[snap->nodes.at(s.id).status];
    log_->info("live status: {} service(s): {} up, {} degraded, {} down, {} unknown", cat.services.size(),
               count[Status::up], count[Status::degraded], count[Status::down], count[Status::unknown]);
    return;
  }
  auto log_node = [&](const std::string& kind, const std::string& id) {
    const NodeNow& now_n = snap->nodes.at(id);
    const auto was = before->nodes.find(id);
    if (was != before->nodes.end() && was->second.status == now_n.status) return;
    const std::string from = was == before->nodes.end() ? "-" : std::string(to_string(was->second.status));
    const std::string since = now_n.since ? format_rfc3339(*now_n.since) : "-";
    if (now_n.status == Status::down)
      log_->warn("{} {}: {} -> {} since {}", kind, id, from, to_string(now_n.status), since);
    else
      log_->info("{} {}: {} -> {} since {}", kind, id, from, to_string(now_n.status), since);
  };
  for (const auto& s : cat.services) log_node("service", s.id);
  for (const auto& c : cat.cis) log_node("CI", c.id);
}

void LiveThread::prune(const catalogue::Catalogue& cat) {
  const TimeMs before = clock_.now_ms() - options_.retention_ms;
  const auto rt = engine::response_time_probes(cat);
  const std::vector<std::string> keep(rt.begin(), rt.end());
  try {
    const auto n = store_.prune_results(before, keep);
    log_->info("pruned {} raw results older than {} (retention {}; kept: what the engine may still replay{})", n,
               format_rfc3339(before), format_duration(options_.retention_ms),
               keep.empty() ? "" : ", the results of " + std::to_string(keep.size()) + " response-time probe(s)");
  } catch (const store::StoreFailure& e) {
    log_->error("store failure pruning results older than {}: {}", format_rfc3339(before), e.what());
  }
}

void LiveThread::follow(const std::string& why) {
  leadership_.leader = false;
  if (fence_) fence_->fence(store::FencedWrites::kNoEpoch);  // before anything else is written
  log_->warn("engine leadership lost: {}; follower (persisting nothing) until the election says otherwise", why);
}

void LiveThread::poll_election() {
  store::Leadership now;
  try {
    now = election_->poll();
    if (election_failing_) log_->info("engine leadership: the store answers again");
    election_failing_ = false;
  } catch (const store::StoreFailure& e) {
    if (leadership_.leader) {
      follow(e.what());
    } else if (!election_failing_) {
      log_->error("engine leadership: {}; following, trying again every {}", e.what(),
                  format_duration(options_.election_interval_ms));
    }
    election_failing_ = true;
    polled_ = true;
    return;
  }
  if (now.leader) {
    if (!leadership_.leader || now.epoch != leadership_.epoch) {
      if (fence_) fence_->fence(now.epoch);
      wrote_as_leader_ = false;
      log_->info("leader since epoch {} (collector {})", now.epoch, now.holder);
    }
  } else {
    if (leadership_.leader) follow("another collector holds the lock");
    if (!polled_ || leadership_.leader || now.epoch != leadership_.epoch || now.holder != leadership_.holder)
      log_->info("follower (leader: collector {} epoch {})", now.holder.empty() ? "none yet" : now.holder, now.epoch);
  }
  leadership_ = now;
  polled_ = true;
}

void LiveThread::tell(live::LiveEngine& engine, const catalogue::Catalogue& cat, TimeMs now) {
  auto* ns = dynamic_cast<store::NotificationStore*>(&store_);
  if (!leadership_.leader) {  // the leader tells; a new one reads the open set its predecessor left
    open_.reset();
    return;
  }
  if (ns == nullptr || behind_ || now < next_tell_) return;
  DurationMs grace = 0;
  for (const auto& ci : cat.cis)
    for (const auto& p : ci.probes) grace = std::max(grace, p.stale_after_ms);
  if (now < started_ms_ + grace) return;
  next_tell_ = now + options_.notify_every_ms;
  std::vector<store::MaintenanceWindow> windows;
  if (auto* ms = dynamic_cast<store::MaintenanceStore*>(&store_)) windows = ms->maintenance_windows();
  if (!notify_graph_ || windows != notify_windows_) {
    // The catalogue's windows and the API's, as the reports count them (a catalogue window wins a
    // clash of ids: store::with_stored_maintenance).
    std::set<std::string, std::less<>> ids;
    for (const auto& m : cat.maintenance) ids.insert(m.id);
    std::vector<catalogue::Maintenance> extra;
    for (auto& m : store::maintenance_as_catalogue(windows))
      if (ids.count(m.id) == 0) extra.push_back(std::move(m));
    notify_graph_ = std::make_unique<engine::Graph>(cat, extra);
    notify_windows_ = std::move(windows);
  }
  if (now >= next_alerts_) {
    // Burn-rate alerts: the SLAs' full timelines over their windows, at most every alerts_every_ms.
    next_alerts_ = now + options_.alerts_every_ms;
    try {
      const auto data = live::probe_data_for_reports(store_, cat, live::alerts_window(cat, now), now, {});
      engine::NodeTimelines nodes(*notify_graph_, data);
      alerts_ = live::observe_alerts(nodes, cat, now);
    } catch (const store::StoreFailure&) {
      throw;
    } catch (const std::exception& e) {
      log_->warn("burn-rate alerts not evaluated: {}", e.what());
      alerts_.clear();
    }
  }
  if (!open_) open_ = ns->open_subjects();
  engine::OpenSubjects open = *open_;
  auto states = live::observe_subjects(engine, cat, *notify_graph_, now);
  states.insert(states.end(), alerts_.begin(), alerts_.end());
  const auto told = engine::notifications_for(states, cat.notifications, open);
  if (told.empty()) return;
  store::NotificationWrite w;
  std::set_difference(open.begin(), open.end(), open_->begin(), open_->end(), std::back_inserter(w.opened));
  std::set_difference(open_->begin(), open_->end(), open.begin(), open.end(), std::back_inserter(w.closed));
  for (const auto& n : told)
    for (auto& c : live::claims_for(n, now)) w.claims.push_back(std::move(c));
  std::size_t claimed = 0;
  try {
    claimed = ns->write_notifications(w);
  } catch (const store::StoreFailure&) {
    open_.reset();  // read again: the write may or may not have happened
    throw;
  }
  open_ = std::move(open);
  for (const auto& n : told) {
    std::string to;
    for (const auto& h : n.webhooks) to += (to.empty() ? "" : ", ") + store::webhook_target(h);
    for (const auto& e : n.emails) to += (to.empty() ? "" : ", ") + store::email_target(e);
    log_->info("notification {} {}{} at {} ({}): {}", engine::to_string(n.kind), n.subject,
               n.sla.empty() ? "" : " (SLA " + n.sla + ")", format_rfc3339(n.at), n.dedup_key,
               to.empty() ? "no route matches: logged only" : "to " + to);
  }
  if (claimed > 0 && options_.on_notified) options_.on_notified();
}

void LiveThread::run() {
  using clock = std::chrono::steady_clock;
  std::shared_ptr<const catalogue::Catalogue> cat;
  std::unique_ptr<live::LiveEngine> engine;
  auto next_prune = clock::now();
  TimeMs stale_checked = clock_.now_ms();
  started_ms_ = stale_checked;
  bool failing = false;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      if (next_catalogue_) {
        engine.reset();
        graph_.reset();  // it points into the catalogue being replaced
        notify_graph_.reset();
        alerts_.clear();
        next_alerts_ = 0;
        cat = std::move(next_catalogue_);
        next_catalogue_.reset();
      }
      news_ = false;
    }
    // The leadership first: a change starts the engine again (over the store, or over an overlay).
    const bool was_leader = leadership_.leader;
    const auto epoch = leadership_.epoch;
    if (election_ && clock::now() >= next_election_) {
      poll_election();
      next_election_ = clock::now() + std::chrono::milliseconds(options_.election_interval_ms);
    }
    bool republish = false;
    if (leadership_.leader != was_leader || leadership_.epoch != epoch) {
      engine.reset();
      republish = true;
    }
    try {
      if (engine && !leadership_.leader) {
        // A follower: loaded again from the store once the leader persisted more (on its hint, or
        // every follower_refresh_ms); in between it applies the arrivals itself.
        const auto since = clock::now() - last_refresh_;
        if ((hinted_ && since >= std::chrono::milliseconds(options_.hint_check_ms)) ||
            since >= std::chrono::milliseconds(options_.follower_refresh_ms)) {
          hinted_ = false;
          last_refresh_ = clock::now();
          if (!(engine_store_.engine_position() == follower_base_)) engine.reset();
        }
      }
      if (!engine) {
        const bool quiet = overlay_ != nullptr && !republish;  // a follower's refresh: no line each time
        store::EngineStore* st = &engine_store_;
        overlay_.reset();
        if (!leadership_.leader) {
          overlay_ = std::make_unique<live::OverlayEngineStore>(engine_store_);
          st = overlay_.get();
        }
        engine = std::make_unique<live::LiveEngine>(*cat, *st, options_.engine);
        graph_ = std::make_unique<engine::Graph>(*cat, std::vector<catalogue::Maintenance>{});
        engine->load();
        if (!leadership_.leader) {
          follower_base_ = engine->position();
          last_refresh_ = clock::now();
          hinted_ = false;
        }
        const auto probes = [&] {
          std::size_t n = 0;
          for (const auto& ci : cat->cis) n += ci.probes.size();
          return n;
        }();
        if (quiet)
          log_->debug("live engine (follower): read again from the store at position {}/{}",
                      engine->position().result_row, engine->position().gap_row);
        else
          log_->info("live engine{}: {} probe(s), {} to replay from the store, position {}/{}",
                     leadership_.leader ? "" : " (follower, in memory)", probes, engine->dirty(),
                     engine->position().result_row, engine->position().gap_row);
        // A new leadership, or a follower read again at the leader's position: said at once.
        if (republish || quiet) publish(*engine, *cat, clock_.now_ms(), quiet);
      }
      catch_up(*engine, *cat);
      const TimeMs now = clock_.now_ms();
      {
        // A snapshot from the start (every node unknown before any result), refreshed at least every
        // snapshot_refresh_ms: the API's live status and current-period cut stay that recent.
        const auto snap = snapshot();
        if (!snap || now - snap->as_of >= options_.snapshot_refresh_ms) publish(*engine, *cat, now, true);
      }
      if (now > stale_checked) {
        const auto stale = engine->stale_between(stale_checked, now);
        if (!stale.empty()) {
          // Per agent: how many, since when, which (the first few).
          std::map<std::string, std::vector<std::string>> by_agent;
          for (const auto& ci : cat->cis)
            for (const auto& p : ci.probes)
              if (std::binary_search(stale.begin(), stale.end(), p.id)) by_agent[p.agent].push_back(p.id);
          for (const auto& [agent, ids] : by_agent) {
            std::string names;
            for (std::size_t i = 0; i < ids.size() && i < kNamedProbes; ++i) names += (i ? ", " : "") + ids[i];
            if (ids.size() > kNamedProbes) names += ", ...";
            const auto first = engine->probe_now(ids.front(), now);
            log_->warn("agent {}: {} probe(s) unknown since {}: no result within stale_after ({})",
                       agent.empty() ? "-" : agent, ids.size(),
                       first && first->since ? format_rfc3339(*first->since) : "-", names);
          }
          publish(*engine, *cat, now, true);
        }
        stale_checked = now;
      }
      tell(*engine, *cat, now);
      if (failing) log_->info("the engine's store works again");
      failing = false;
    } catch (const store::FencedOut& e) {
      // Another collector is the leader now: nothing of this step was written.
      follow(e.what());
      engine.reset();
      next_election_ = clock::now();
    } catch (const store::StoreFailure& e) {
      if (!failing) log_->error("engine: store failure: {}; trying again every second", e.what());
      failing = true;
    }
    if (clock::now() >= next_prune && cat && !failing && leadership_.leader) {
      prune(*cat);
      next_prune = clock::now() + std::chrono::milliseconds(options_.prune_interval_ms);
    }

    // Sleep until news, the next staleness instant, the next prune, or the idle wake.
    DurationMs wait = failing ? 1'000 : options_.idle_wake_ms;
    if (engine && !failing) {
      const TimeMs now = clock_.now_ms();
      if (const auto at = engine->next_staleness(now)) wait = std::min(wait, *at - now);
    }
    const auto until_prune = std::chrono::duration_cast<std::chrono::milliseconds>(next_prune - clock::now()).count();
    wait = std::max<DurationMs>(0, std::min<DurationMs>(wait, until_prune));
    if (election_) {
      const auto until_election =
          std::chrono::duration_cast<std::chrono::milliseconds>(next_election_ - clock::now()).count();
      wait = std::max<DurationMs>(0, std::min<DurationMs>(wait, until_election));
      if (!leadership_.leader) wait = std::min(wait, options_.hint_check_ms);
    }
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::milliseconds(wait), [&] { return news_ || stopping_ || next_catalogue_; });
    }
    if (election_ && !leadership_.leader && election_->hinted()) hinted_ = true;
  }
}

}  // namespace slamon::collector
