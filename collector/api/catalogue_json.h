// The catalogue as the API shows it: services, CIs, probes, SLAs, agreements, maintenance and agents
// as JSON objects, never with a secret (agent token digests, SNMP communities and passwords, HTTP
// header values that carry credentials, request bodies, credentials in URLs). One function per object,
// and an index of the relations the tree needs (a CI's services, a service's SLAs).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/catalogue/model.h"
#include "common/json_writer.h"

namespace slamon::collector::api {

// Who points at what, built once per catalogue.
struct CatalogueIndex {
  explicit CatalogueIndex(const catalogue::Catalogue& c);
  const catalogue::Catalogue& cat;
  std::map<std::string, const catalogue::Service*, std::less<>> services;
  std::map<std::string, const catalogue::Ci*, std::less<>> cis;
  std::map<std::string, const catalogue::Probe*, std::less<>> probes;
  std::map<std::string, const catalogue::Sla*, std::less<>> slas;
  std::map<std::string, const catalogue::Agreement*, std::less<>> agreements;
  std::map<std::string, const catalogue::Maintenance*, std::less<>> maintenance;
  std::map<std::string, const catalogue::Agent*, std::less<>> agents;
  std::map<std::string, std::vector<std::string>, std::less<>> parents;  // CI or service id -> service ids
  std::map<std::string, std::vector<std::string>, std::less<>> slas_of;  // service/CI id -> SLA ids
  std::map<std::string, std::vector<std::string>, std::less<>> agreements_of;  // covered id -> agreement ids
  std::vector<std::string> roots;  // services no other service lists, in id order
};

void write_service(JsonWriter& w, const catalogue::Service& s, const CatalogueIndex& idx);
void write_ci(JsonWriter& w, const catalogue::Ci& ci, const CatalogueIndex& idx);
void write_probe(JsonWriter& w, const catalogue::Probe& p);
void write_sla(JsonWriter& w, const catalogue::Sla& s);
void write_agreement(JsonWriter& w, const catalogue::Agreement& a);
void write_maintenance(JsonWriter& w, const catalogue::Maintenance& m);
void write_agent(JsonWriter& w, const catalogue::Agent& a);

// True for a header whose value may carry a credential (Authorization, Cookie, X-Api-Key, ...): its
// value is never shown.
bool secret_header(std::string_view name);

}  // namespace slamon::collector::api
