#include "function_properties.hpp"

namespace lambdad::deploy {

void read_lambdad_metadata(const Node& metadata, const std::string& who, FunctionConfig& config,
                           LoadContext& ctx) {
  const Node* ours = metadata.is_map() ? metadata.find("lambdad") : nullptr;
  if (!ours) return;
  if (!ours->is_map()) {
    ctx.error(ours->line, who, "Metadata.lambdad must be a map, got " + describe(*ours));
    return;
  }
  for (const auto& [key, value] : ours->entries) {
    if (key != "Network") {
      ctx.error(value.line, who,
                "Metadata.lambdad: unknown setting '" + key + "' (known: Network)");
      continue;
    }
    const auto text = to_text(value);
    if (!value.is_scalar() || !text || (*text != "host" && *text != "none")) {
      ctx.error(value.line, who, "Metadata.lambdad.Network must be host or none");
      continue;
    }
    config.network = *text == "host";
  }
}

}  // namespace lambdad::deploy
