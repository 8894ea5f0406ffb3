// The catalogue loader on invalid input. Data-driven: every tests/data/catalogue/invalid/*.yaml opens
// with `# expect: [FILE:]LINE:COL: MESSAGE-PART` lines, one per error the loader must report (no more,
// no fewer); FILE, when given, is relative to the case's folder (errors in included files).
// Then targeted cases: secrets never in messages, file order, include cycles, hours syntax.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/catalogue/hours.h"
#include "common/catalogue/suggest.h"
#include "tests/common/catalogue_test_util.h"

using namespace slamon;
using namespace slamon::catalogue;
using namespace slamon::catalogue::test;
namespace fs = std::filesystem;

namespace {

struct Expect {
  std::string file;  // empty: the case file itself
  int line = 0;
  int col = 0;
  std::string part;
};

std::vector<Expect> read_expects(const fs::path& path) {
  std::ifstream in(path);
  std::vector<Expect> out;
  std::string line;
  const std::string tag = "# expect: ";
  while (std::getline(in, line) && line.rfind(tag, 0) == 0) {
    std::string rest = line.substr(tag.size());
    Expect e;
    // [FILE:]LINE:COL: PART
    auto digits = [](const std::string& t) {
      return !t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    std::vector<std::string> fields;
    std::size_t pos = 0;
    for (int k = 0; k < 3; ++k) {
      const auto colon = rest.find(':', pos);
      if (colon == std::string::npos) break;
      fields.push_back(rest.substr(pos, colon - pos));
      pos = colon + 1;
    }
    REQUIRE_MESSAGE(fields.size() >= 2, "bad expect line: " << line);
    if (digits(fields[0])) {
      REQUIRE_MESSAGE(digits(fields[1]), "bad expect line: " << line);
      e.line = std::stoi(fields[0]);
      e.col = std::stoi(fields[1]);
      pos = fields[0].size() + fields[1].size() + 2;
    } else {
      REQUIRE_MESSAGE((fields.size() == 3 && digits(fields[1]) && digits(fields[2])), "bad expect line: " << line);
      e.file = fields[0];
      e.line = std::stoi(fields[1]);
      e.col = std::stoi(fields[2]);
    }
    e.part = rest.substr(pos);
    while (!e.part.empty() && e.part.front() == ' ') e.part.erase(0, 1);
    while (!e.part.empty() && e.part.back() == ' ') e.part.pop_back();
    out.push_back(e);
  }
  return out;
}

}  // namespace

TEST_CASE("each invalid catalogue reports exactly the expected errors at the expected places") {
  const fs::path dir = fs::path(source_dir()) / "tests/data/catalogue/invalid";
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") cases.push_back(entry.path());
  std::sort(cases.begin(), cases.end());
  CHECK(cases.size() >= 40);
  DiskFileSource disk;
  for (const auto& path : cases) {
    CAPTURE(path.filename().string());
    const auto expects = read_expects(path);
    REQUIRE_MESSAGE(!expects.empty(), "no '# expect:' line");
    const auto r = load_catalogue(path, disk);
    CHECK_FALSE(r.catalogue);
    INFO("errors:\n" << all_errors(r));
    CHECK(r.errors.size() == expects.size());
    for (const auto& e : expects) {
      const std::string want_file = e.file.empty() ? path.string() : (dir / e.file).lexically_normal().string();
      const bool found = std::any_of(r.errors.begin(), r.errors.end(), [&](const Diagnostic& d) {
        return d.file == want_file && d.line == e.line && d.col == e.col && d.message.find(e.part) != std::string::npos;
      });
      CHECK_MESSAGE(found, "expected " << want_file << ":" << e.line << ":" << e.col << ": " << e.part);
    }
    for (const auto& d : r.errors) {
      const bool named = !d.object.empty() || d.message.find("YAML") == 0 || d.line == 0;
      CHECK_MESSAGE(named, "error without an object: " << format_diagnostic(d));
    }
  }
}

TEST_CASE("secrets never appear in error messages") {
  const std::string secret = "s3cr3t-Value-XYZ";
  const auto r = load_text(
      "version: 1\nagents: [{name: a1, token_sha256: " + secret + "}]\ncis:\n  - id: c\n    probes:\n"
      "      - {type: snmp, agent: a1, target: t, version: 3, user: u, security_level: authPriv,\n"
      "         auth_protocol: SHA, auth_password: short, priv_protocol: AES, priv_password_file: p,\n"
      "         get: [{oid: 1.3.6}]}\n"
      "      - {id: c.v2, type: snmp, agent: a1, target: t, community: " + secret + ", user: " + secret +
      ", get: [{oid: 1.3.6}]}\n",
      {{"p", "tiny\n"}});
  REQUIRE_FALSE(r.catalogue);
  CHECK(r.errors.size() >= 4);
  for (const auto& e : r.errors) {
    CHECK(format_diagnostic(e).find(secret) == std::string::npos);
    CHECK(format_diagnostic(e).find("short") == std::string::npos);
    CHECK(format_diagnostic(e).find("tiny") == std::string::npos);
  }
  INFO(all_errors(r));
  CHECK(has_error(r, 7, 45, "auth password must be at least 8 characters"));
  CHECK(has_error(r, 7, 92, "priv password must be at least 8 characters"));
}

TEST_CASE("errors come in file order, root file first, then includes in the order they were read") {
  MemoryFileSource files;
  files.add("/v/root.yaml", "version: 1\ninclude: [z.yaml, a.yaml]\ncis: [{id: r, bad: 1}]\n");
  files.add("/v/z.yaml", "cis: [{id: z, bad: 1}]\n");
  files.add("/v/a.yaml", "services: [{id: s, children: [nope]}]\ncis: [{id: a, bad: 1}]\n");
  const auto r = load_catalogue("/v/root.yaml", files);
  REQUIRE(r.errors.size() == 4);
  CHECK(r.errors[0].file == "/v/root.yaml");
  CHECK(r.errors[1].file == "/v/z.yaml");
  CHECK(r.errors[2].file == "/v/a.yaml");
  CHECK(r.errors[2].line == 1);
  CHECK(r.errors[3].line == 2);
}

TEST_CASE("an include cycle is named, and defaults in an included file are refused") {
  MemoryFileSource files;
  files.add("/c/root.yaml", "version: 1\ninclude: one.yaml\n");
  files.add("/c/one.yaml", "include: sub/two.yaml\n");
  files.add("/c/sub/two.yaml", "defaults: {interval: 1m}\ninclude: ../one.yaml\n");
  const auto r = load_catalogue("/c/root.yaml", files);
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].file == "/c/sub/two.yaml");
  CHECK(r.errors[0].message == "'defaults' belongs to the root file, not an included file");
  CHECK(r.errors[1].message == "include cycle: /c/one.yaml -> /c/sub/two.yaml -> /c/one.yaml");
  CHECK(r.errors[1].line == 2);
  CHECK(r.errors[1].col == 10);
}

TEST_CASE("a relative root path gives relative file names in errors") {
  MemoryFileSource files;
  files.add("rel/root.yaml", "version: 1\ninclude: sites/a.yaml\n");
  files.add("rel/sites/a.yaml", "cis: [{id: a, colour: red}]\n");
  const auto r = load_catalogue("rel/root.yaml", files);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].file == "rel/sites/a.yaml");
  CHECK(r.errors[0].object == "ci a");
}

TEST_CASE("a missing root file is one error naming it") {
  MemoryFileSource files;
  const auto r = load_catalogue("/nowhere/catalogue.yaml", files);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].file == "/nowhere/catalogue.yaml");
  CHECK(r.errors[0].message == "cannot read the catalogue file: No such file or directory");
}

TEST_CASE("an alias to an enclosing anchor is a syntax error, not a loop") {
  const auto r = load_text("version: 1\ncis: &a [*a]\n");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message.find("alias") != std::string::npos);
}

TEST_CASE("service hours entries") {
  auto ok = [](std::string_view s) { return std::get<HoursEntry>(parse_hours_entry(s)); };
  auto err = [](std::string_view s) { return std::get<std::string>(parse_hours_entry(s)); };
  CHECK(ok("24x7").always);
  CHECK(ok("mon-fri 08:00-18:00").window == HoursWindow{0x1f, 480, 1080});
  CHECK(ok("mon,wed,fri 9:30-24:00").window == HoursWindow{0x15, 570, 1440});
  CHECK(ok("sat-sun 00:00-00:01").window == HoursWindow{0x60, 0, 1});
  CHECK(ok("mon-tue,sun 10:00-11:00").window.days == 0x43);
  CHECK(err("mon 22:00-06:00").find("does not end after it starts") != std::string::npos);
  CHECK(err("mon 10:00-10:00").find("does not end after it starts") != std::string::npos);
  CHECK(err("fri-mon 10:00-11:00").find("backwards") != std::string::npos);
  CHECK(err("mon 24:00-24:00").find("bad start time") != std::string::npos);
  CHECK(err("mon 10:60-11:00").find("bad start time") != std::string::npos);
  CHECK(err("mon 10:00-24:01").find("bad end time") != std::string::npos);
  CHECK(err("weekdays 10:00-11:00").find("unknown day") != std::string::npos);
  CHECK(err("mon").find("expected") != std::string::npos);
  CHECK(err("mon 10:00").find("HH:MM-HH:MM") != std::string::npos);
  CHECK(format_hours_window(HoursWindow{0x1f, 480, 1080}) == "mon-fri 08:00-18:00");
  CHECK(format_hours_window(HoursWindow{0x15, 0, 1440}) == "mon,wed,fri 00:00-24:00");
  CHECK(format_hours_window(HoursWindow{0x63, 60, 120}) == "mon,tue,sat,sun 01:00-02:00");
}

TEST_CASE("suggestions by edit distance") {
  CHECK(edit_distance("intervall", "interval") == 1);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
  const std::vector<std::string_view> keys = {"interval", "timeout", "stale_after"};
  CHECK(closest_word("intervall", keys) == std::optional<std::string>("interval"));
  CHECK(closest_word("stale", keys) == std::nullopt);
  CHECK(closest_word("colour", keys) == std::nullopt);
}

TEST_CASE("aliases that expand to too many nodes are refused (billion laughs)") {
  std::string text = "version: 1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    const std::string n = std::to_string(i);
    text.append("a").append(n).append(": &a").append(n).append(" [");
    for (int k = 0; k < 10; ++k) {
      if (k > 0) text += ", ";
      text += "*a";
      text += std::to_string(i - 1);
    }
    text += "]\n";
  }
  const auto r = load_text(text);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message == "YAML aliases expand to too many nodes (more than 5,000,000)");
}

TEST_CASE("a second YAML document in a file is an error") {
  const auto r = load_text("version: 1\n---\ncis: [{id: x}]\n");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].line == 2);
  CHECK(r.errors[0].message.find("one YAML document") != std::string::npos);
  CHECK(load_text("---\nversion: 1\n...\n").catalogue);
}

TEST_CASE("secret files: a 1 GB sparse file, /dev/zero, a FIFO and a directory are refused at once, with why") {
  const auto dir = fs::temp_directory_path() / ("slamon-secrets-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "a-dir");
  { std::ofstream(dir / "huge") << ""; }
  fs::resize_file(dir / "huge", std::uintmax_t{1} << 30);
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  std::string probes;
  int i = 0;
  for (const char* f : {"huge", "/dev/zero", "fifo", "a-dir"})
    probes += "      - {id: p" + std::to_string(i++) +
              ", type: snmp, agent: a1, target: t, get: [{oid: 1.3.6}], community_file: " + f + "}\n";
  std::ofstream(dir / "root.yaml") << "version: 1\nagents: [{name: a1}]\ncis:\n  - id: c\n    probes:\n" << probes;
  DiskFileSource disk;
  const auto r = load_catalogue(dir / "root.yaml", disk);
  INFO(all_errors(r));
  REQUIRE(r.errors.size() == 4);
  CHECK(r.errors[0].message.find("is larger than 64 KiB") != std::string::npos);
  CHECK(r.errors[1].message.find("is a device, not a regular file") != std::string::npos);
  CHECK(r.errors[2].message.find("is a FIFO (named pipe), not a regular file") != std::string::npos);
  CHECK(r.errors[3].message.find("is a directory") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("the root file's read error says why: missing, a directory") {
  DiskFileSource disk;
  const auto missing = load_catalogue("/nowhere/catalogue.yaml", disk);
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors[0].message == "cannot read the catalogue file: No such file or directory");
  const auto directory = load_catalogue(fs::temp_directory_path(), disk);
  REQUIRE(directory.errors.size() == 1);
  CHECK(directory.errors[0].message == "cannot read the catalogue file: is a directory");
}

TEST_CASE("a service chain 50,000 deep is checked without recursion") {
  std::string text = "version: 1\ncis: [{id: c}]\nservices:\n";
  constexpr int kDepth = 50'000;
  for (int i = 0; i < kDepth; ++i)
    text += "  - {id: s" + std::to_string(i) + ", children: [" + (i + 1 < kDepth ? "s" + std::to_string(i + 1) : "c") + "]}\n";
  const auto ok = load_text(text);
  INFO(all_errors(ok));
  REQUIRE(ok.catalogue);
  CHECK(ok.catalogue->services.size() == kDepth);
  // Closing the chain into a cycle is found and named, still without recursion.
  text += "  - {id: top, children: [s0]}\n";
  text.replace(text.find("children: [c]"), 13, "children: [s0]");
  const auto cyc = load_text(text);
  REQUIRE(cyc.errors.size() == 1);
  CHECK(cyc.errors[0].message.find("cycle in the service graph: s0 -> s1 -> ") == 0);
}

TEST_CASE("an IPv6 zone id in a target is kept as written (probes pass it to getaddrinfo)") {
  const auto r = load_text(
      "version: 1\nagents: [{name: a1}]\ncis:\n  - id: c\n    probes:\n"
      "      - {type: icmp, agent: a1, target: 'fe80::1%eth0'}\n"
      "      - {type: tcp, agent: a1, target: '[fe80::1%eth0]:22'}\n");
  INFO(all_errors(r));
  REQUIRE(r.catalogue);
  CHECK(std::get<IcmpSpec>(r.catalogue->cis[0].probes[0].spec).target == "fe80::1%eth0");
  CHECK(std::get<TcpSpec>(r.catalogue->cis[0].probes[1].spec).host == "fe80::1%eth0");
}

TEST_CASE("a password in a URL never reaches a message") {
  const auto r = load_text("version: 1\nagents: [{name: a1}]\ncis:\n  - id: c\n    probes:\n"
                           "      - {type: http, agent: a1, url: 'http://admin:Hunter2Pw@web:99999/'}\n");
  REQUIRE(r.errors.size() == 1);
  CHECK(format_diagnostic(r.errors[0]).find("Hunter2Pw") == std::string::npos);
  CHECK(r.errors[0].message.find("http://admin:***@web:99999/") != std::string::npos);
}

TEST_CASE("one diagnostic is one line: line breaks in a message are escaped") {
  const auto r = load_text("version: 1\nagents: [{name: a1}]\ncis:\n  - id: c\n    probes:\n"
                           "      - {type: tcp, agent: a1, target: 'h:1', expect: {banner_regex: \"(a\\nb\"}}\n");
  REQUIRE(r.errors.size() == 1);
  const std::string line = format_diagnostic(r.errors[0]);
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line.find("(a\\nb") != std::string::npos);
  CHECK(format_diagnostic(Diagnostic{"f\nx.yaml", 1, 2, "ci c", "a\r\x01z"}) == "f\\nx.yaml:1:2: error: ci c: a\\r\\x01z");
}

TEST_CASE("maintenance files load as files of their own: their errors name them and their true lines") {
  MemoryFileSource files;
  files.add("/m/root.yaml", "version: 1\n\"include\": []\ncis: [{id: web-01}]\n");
  files.add("/m/extra.yaml", "# windows from the API\nmaintenance:\n  - id: w1\n    targets: [web-02]\n"
                             "    every: \"sun 02:00-04:00\"\n");
  const std::vector<fs::path> extra{"/m/extra.yaml"};
  const auto r = load_catalogue("/m/root.yaml", files, extra);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].file == "/m/extra.yaml");
  CHECK(r.errors[0].line == 4);
  CHECK(r.errors[0].col == 15);
  CHECK(r.errors[0].message.find("unknown CI or service 'web-02'") != std::string::npos);

  files.add("/m/good.yaml", "maintenance:\n  - {id: w1, targets: [web-01], every: \"sun 02:00-04:00\"}\n");
  const std::vector<fs::path> good{"/m/good.yaml"};
  const auto ok = load_catalogue("/m/root.yaml", files, good);
  INFO(all_errors(ok));
  REQUIRE(ok.catalogue);
  CHECK(ok.catalogue->maintenance.size() == 1);

  files.add("/m/other.yaml", "cis: [{id: x}]\n");
  const std::vector<fs::path> other{"/m/other.yaml", "/m/none.yaml"};
  const auto bad = load_catalogue("/m/root.yaml", files, other);
  REQUIRE(bad.errors.size() == 2);
  CHECK(bad.errors[0].message.find("unknown key 'cis'") != std::string::npos);
  CHECK(bad.errors[1].message == "cannot read the maintenance file: No such file or directory");
}
