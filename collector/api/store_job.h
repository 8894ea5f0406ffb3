// Handlers that need the store run off the io thread: the router (router.h) decides, on the io
// thread and without I/O, what a request asks; when the answer needs the store it returns a StoreJob,
// a function holding only values and shared_ptr-to-const (the catalogue, the live snapshot, the
// parsed request) that the store worker (collector/store_worker.h) runs over its own connection. The
// Beast listener awaits the job's response and writes it.
//
// Writes (the admin endpoints to come) are jobs too, marked `writes`: the worker runs them one at a
// time on its writer thread, whose connection may write (SQLite allows one writer; it waits for the
// store thread's commits).
#pragma once

#include <functional>
#include <optional>

#include "collector/api/http_message.h"
#include "collector/store/engine_store.h"
#include "collector/store/store.h"

namespace slamon::collector::api {

// What a job gets: one connection of the store worker (the store and its engine tables).
struct StoreContext {
  store::Store& store;
  store::EngineStore& engine;
};

using StoreJob = std::function<Response(StoreContext&)>;

// The router's decision: a response now, or a job whose response is the answer.
struct Routed {
  Response response;  // unused when job is set
  StoreJob job;
  bool writes = false;  // the job writes: run it on the worker's writer
  // Work to do on the worker afterwards whose result is not awaited (a refresh of a cached figure).
  std::function<void(StoreContext&)> background;
};

}  // namespace slamon::collector::api
