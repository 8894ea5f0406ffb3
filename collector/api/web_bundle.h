// The web UI's built files (scripts/build-web.sh), read into memory once at start so that serving
// them never touches the disk on the io thread. Each file may have a gzip twin (NAME.gz) served to
// clients that accept it.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace slamon::collector::api {

struct WebFile {
  std::string content_type;
  std::string bytes;
  std::optional<std::string> gzip;  // the same file gzip-compressed
};

struct WebBundle {
  std::string root;                                  // the folder it was read from
  std::map<std::string, WebFile, std::less<>> files;  // by path inside it ("index.html", "assets/app.js")
};

// The content type for a file name's extension (text/html; charset=utf-8, text/javascript, ...).
std::string content_type_for(std::string_view name);

// Reads every file under `root` (at most `max_total_bytes` in all; larger files or bundles are an
// error). nullopt with `error` set when `root` has no index.html or cannot be read.
std::optional<WebBundle> load_web_bundle(const std::filesystem::path& root, std::string& error,
                                         std::size_t max_total_bytes = 32u << 20);

}  // namespace slamon::collector::api
