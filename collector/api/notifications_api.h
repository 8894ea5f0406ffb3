// GET /api/v1/notifications (docs/api.md): the delivery log (store/notification_store.h), newest
// first, paginated (limit, cursor), filtered by `state`; a job on the store worker.
#pragma once

#include "collector/api/request_target.h"
#include "collector/api/store_job.h"

namespace slamon::collector::api {

Routed route_notifications(const Target& t);

}  // namespace slamon::collector::api
