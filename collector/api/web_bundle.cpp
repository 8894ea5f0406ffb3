// Reading the web UI's files (see web_bundle.h).
#include "collector/api/web_bundle.h"

#include <fstream>
#include <sstream>

namespace slamon::collector::api {

std::string content_type_for(std::string_view name) {
  auto ends = [&](std::string_view ext) { return name.ends_with(ext); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".json") || ends(".map")) return "application/json";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  if (ends(".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

std::optional<WebBundle> load_web_bundle(const std::filesystem::path& root, std::string& error,
                                         std::size_t max_total_bytes) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(root / "index.html", ec)) {
    error = "no index.html in " + root.string();
    return std::nullopt;
  }
  WebBundle b;
  b.root = root.string();
  std::map<std::string, std::string> gz;
  std::size_t total = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const auto rel = fs::relative(it->path(), root, ec).generic_string();
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) {
      error = "cannot read " + it->path().string();
      return std::nullopt;
    }
    total += text.str().size();
    if (total > max_total_bytes) {
      error = root.string() + " holds more than " + std::to_string(max_total_bytes) + " bytes";
      return std::nullopt;
    }
    if (rel.ends_with(".gz")) gz[rel.substr(0, rel.size() - 3)] = text.str();
    else b.files[rel] = WebFile{content_type_for(rel), text.str(), std::nullopt};
  }
  if (ec) {
    error = "cannot list " + root.string() + ": " + ec.message();
    return std::nullopt;
  }
  for (auto& [name, bytes] : gz)
    if (auto it = b.files.find(name); it != b.files.end()) it->second.gzip = std::move(bytes);
  return b;
}

}  // namespace slamon::collector::api
