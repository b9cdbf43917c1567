// expr/builtins/toml.cc: builtins.fromTOML, through toml11 as Nix does.
#include <cstdio>
#include <sstream>
#include <toml.hpp>

#include "expr/builtins.h"
#include "expr/eval.h"

namespace nixpp {

namespace {

// Whether dates and times become { _type = "timestamp"; value = "..."; } (Nix's experimental
// feature parse-toml-timestamps) instead of an error.
bool timestampsEnabled(const EvalState& st) { return st.settings.hasFeature("parse-toml-timestamps"); }

// Not an EvalError: fromTOML reports every failure as "while parsing TOML: <what>".
struct TomlFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void checkNoNul(std::string_view s) {
  if (s.find('\0') == std::string_view::npos) return;
  std::string shown;
  for (char c : s) {
    if (c) shown += c;
    else shown += "\xe2\x90\x80";
  }
  throw TomlFailure("error: input string '" + shown + "' cannot be represented as Nix string because it contains null bytes");
}

std::string showDate(const toml::local_date& d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", int(d.year), int(d.month) + 1, int(d.day));
  return buf;
}

// "07:32:00", then .mmm, .mmmuuu or .mmmuuunnn as far as the fraction is non-zero (toml11).
std::string showTime(const toml::local_time& t) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", int(t.hour), int(t.minute), int(t.second));
  std::string s = buf;
  if (t.millisecond || t.microsecond || t.nanosecond) {
    std::snprintf(buf, sizeof buf, ".%03d", int(t.millisecond));
    s += buf;
    if (t.microsecond || t.nanosecond) {
      std::snprintf(buf, sizeof buf, "%03d", int(t.microsecond));
      s += buf;
      if (t.nanosecond) {
        std::snprintf(buf, sizeof buf, "%03d", int(t.nanosecond));
        s += buf;
      }
    }
  }
  return s;
}

std::string showOffset(const toml::time_offset& o) {
  if (o.hour == 0 && o.minute == 0) return "Z";
  int minutes = int(o.hour) * 60 + int(o.minute);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", minutes < 0 ? '-' : '+', std::abs(minutes) / 60, std::abs(minutes) % 60);
  return buf;
}

// toml11 3.x saturates (or wraps) integers that do not fit in 64 bits; Nix's toml11 4.x rejects
// them. The literal is read again from its source text and checked.
void checkIntegerRange(const toml::value& t) {
  toml::source_location loc = t.location();
  const std::string& line = loc.line_str();
  if (loc.column() == 0 || loc.column() - 1 > line.size()) return;
  std::string tok = line.substr(loc.column() - 1, loc.region());
  std::string digits;
  bool negative = false;
  int base = 10;
  size_t i = 0;
  if (i < tok.size() && (tok[i] == '+' || tok[i] == '-')) negative = tok[i++] == '-';
  if (tok.compare(i, 2, "0x") == 0) base = 16, i += 2;
  else if (tok.compare(i, 2, "0o") == 0) base = 8, i += 2;
  else if (tok.compare(i, 2, "0b") == 0) base = 2, i += 2;
  for (; i < tok.size(); ++i)
    if (tok[i] != '_') digits += tok[i];
  // The magnitude must fit: < 2^63, or <= 2^63 for a negative decimal.
  unsigned __int128 limit = (unsigned __int128)1 << 63, n = 0;
  bool tooLarge = false;
  for (char c : digits) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0 || d >= base) return;  // not an integer literal after all: leave it to toml11
    n = n * base + d;
    if (n > limit) {
      tooLarge = true;
      break;
    }
  }
  if (!tooLarge && (n < limit || negative)) return;
  static const char* kinds[] = {"", "", "bin", "", "", "", "", "", "oct", "", "dec", "", "", "", "", "", "hex"};
  std::string col(loc.column() - 1 + tok.size(), ' ');
  throw TomlFailure(std::string("[error] toml::parse_") + kinds[base] + "_integer: too large integer: current max digits = 2^63\n --> fromTOML\n   |\n " +
                    std::to_string(loc.line()) + " | " + line + "\n   | " + col + "^-- must be < 2^63\n");
}

struct TomlToNix {
  EvalState& st;

  void timestamp(const std::string& text, Value& v) {
    if (!timestampsEnabled(st)) throw TomlFailure("Dates and times are not supported");
    Bindings* b = st.allocBindings(2);
    Value* t = st.allocValue();
    st.mkString(*t, "timestamp");
    Value* val = st.allocValue();
    st.mkString(*val, text);
    b->push(st.symbol("_type"), t);
    b->push(st.s.value, val);
    b->sort();
    v.mkAttrs(b);
  }

  void convert(const toml::value& t, Value& v) {
    st.checkStack();
    switch (t.type()) {
    case toml::value_t::table: {
      const auto& table = t.as_table();
      Bindings* b = st.allocBindings(table.size());
      for (auto& [key, elem] : table) {
        checkNoNul(key);
        Value* e = st.allocValue();
        convert(elem, *e);
        b->push(st.symbol(key), e);
      }
      b->sort();
      return v.mkAttrs(b);
    }
    case toml::value_t::array: {
      const auto& array = t.as_array();
      st.mkList(v, array.size());
      for (size_t i = 0; i < array.size(); ++i) {
        Value* e = st.allocValue();
        convert(array[i], *e);
        v.listElems()[i] = e;
      }
      return;
    }
    case toml::value_t::boolean: return v.mkBool(t.as_boolean());
    case toml::value_t::integer:
      checkIntegerRange(t);
      return v.mkInt(t.as_integer());
    case toml::value_t::floating: return v.mkFloat(t.as_floating());
    case toml::value_t::string: {
      const std::string& s = t.as_string().str;
      checkNoNul(s);
      return st.mkString(v, s);
    }
    case toml::value_t::local_date: return timestamp(showDate(t.as_local_date()), v);
    case toml::value_t::local_time: return timestamp(showTime(t.as_local_time()), v);
    case toml::value_t::local_datetime: {
      const auto& dt = t.as_local_datetime();
      return timestamp(showDate(dt.date) + "T" + showTime(dt.time), v);
    }
    case toml::value_t::offset_datetime: {
      const auto& dt = t.as_offset_datetime();
      return timestamp(showDate(dt.date) + "T" + showTime(dt.time) + showOffset(dt.offset), v);
    }
    case toml::value_t::empty: return v.mkNull();
    }
  }
};

void primFromTOML(EvalState& st, PosIdx pos, Value** args, Value& v) {
  std::string_view text = st.forceStringNoCtx(*args[0], pos, "while evaluating the argument passed to builtins.fromTOML");
  std::istringstream in{std::string(text)};
  try {
    TomlToNix{st}.convert(toml::parse(in, "fromTOML"), v);
  } catch (EvalError&) {
    throw;
  } catch (std::exception& e) {
    throw EvalError("while parsing TOML: " + std::string(e.what()), st.pos(pos));
  }
}

} // namespace

void registerTomlBuiltins(BuiltinTable& t) { t.add("fromTOML", 1, primFromTOML); }

} // namespace nixpp
