// Force-included (-include) into the translation units of the pure libraries (common,
// collector/engine, probes/codec) and their tests by the slamon_pure target (cmake/IncludeRoots.cmake):
// any use of Asio or SQLite there stops the build ("attempt to use poisoned").
#pragma once
#pragma GCC poison asio sqlite3
