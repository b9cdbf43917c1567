#include "expr/eval_error.h"

#include <set>
#include <tuple>

#include "util/strings.h"

namespace nixpp {

namespace {
// Nix indents every line of an error by the width of "error: ", so a message's continuation
// lines line up under its first.
std::string indentMessage(const std::string& msg) { return indentLines(msg, "       "); }
} // namespace

std::string renderErrorWithPos(const std::string& msg, const Pos& pos) {
  if (!pos) return indentMessage(msg);
  return indentMessage(msg) + "\n       at " + pos.toString() + ":" + pos.codeFrame();
}

EvalError::EvalError(const std::string& msg, const Pos& pos)
    : Error(renderErrorWithPos(msg, pos)), msg_(msg), pos_(pos) {}

namespace {

// Renders one "… hint" frame (and its position); returns whether a position was printed.
bool printFrame(std::string& out, const EvalError::Trace& t) {
  out += "\n       … " + indentMessage(t.hint) + "\n";
  if (!t.pos) return false;
  out += "         at " + t.pos.toString() + ":" + t.pos.codeFrame() + "\n";
  return true;
}

// Frames compare by value, as Nix's set of frames already printed does.
using FrameKey = std::tuple<const Origin*, uint32_t, uint32_t, std::string_view, bool>;
FrameKey frameKey(const EvalError::Trace& t) { return {t.pos.origin, t.pos.line, t.pos.column, t.hint, t.always}; }

// A run of frames already printed: printed again when short, else counted.
void flushSkipped(std::string& out, size_t& count, std::vector<const EvalError::Trace*>& skipped) {
  if (skipped.size() <= 5) {
    for (auto* t : skipped)
      if (printFrame(out, *t)) ++count;
  } else {
    out += "\n       (" + std::to_string(skipped.size()) + " duplicate frames omitted)\n";
  }
  skipped.clear();
}

} // namespace

std::string EvalError::render(bool showTrace) const {
  std::string out;
  bool any = false;
  for (auto& t : traces) any = any || !t.hint.empty();
  if (any) {
    std::set<FrameKey> seen;
    std::vector<const Trace*> skipped;
    size_t count = 0;
    bool truncate = false;
    // Traces were added innermost first; Nix prints the outermost first.
    for (auto t = traces.rbegin(); t != traces.rend(); ++t) {
      if (t->hint.empty()) continue;
      if (!showTrace && count > 3) truncate = true;
      if (truncate && !t->always) continue;
      if (!seen.insert(frameKey(*t)).second) {
        skipped.push_back(&*t);
        continue;
      }
      flushSkipped(out, count, skipped);
      ++count;
      if (printFrame(out, *t)) ++count;
    }
    flushSkipped(out, count, skipped);
    if (truncate) out += "\n       (stack trace truncated; use '--show-trace' to show the full, detailed trace)\n";
    out += "\n       error: ";
  }
  out += renderErrorWithPos(msg_, pos_);
  if (!suggestion.empty()) out += "\n       " + suggestion;
  return out;
}

} // namespace nixpp
