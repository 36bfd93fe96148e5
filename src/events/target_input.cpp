// Target inputs: checked once when a target is put, rendered per delivered event.

#include "lambdad/events/target_input.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "json_path.hpp"
#include "lambdad/common/aws_error.hpp"

namespace lambdad::events {

using json = nlohmann::json;

namespace {

// PutTargets' limits (API reference: Target.Input, Target.InputPath, InputTransformer).
constexpr size_t kMaxInputChars = 8192;
constexpr size_t kMaxPathChars = 256;
constexpr size_t kMaxPathsMapEntries = 100;
constexpr size_t kMaxTemplateChars = 8192;

// Text from outside (events, attribute values) may hold invalid UTF-8: replaced, never thrown on.
template <typename Json>
std::string text_of(const Json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

AwsError validation(const std::string& message) {
  return {400, "ValidationException", message, AwsError::Key::kmessage};
}

enum class Predefined { kNone, kEvent, kEventJson, kRuleArn, kRuleName, kIngestionTime };

Predefined predefined(std::string_view name) {
  if (name == "aws.events.event") return Predefined::kEvent;
  if (name == "aws.events.event.json") return Predefined::kEventJson;
  if (name == "aws.events.rule-arn") return Predefined::kRuleArn;
  if (name == "aws.events.rule-name") return Predefined::kRuleName;
  if (name == "aws.events.event.ingestion-time") return Predefined::kIngestionTime;
  return Predefined::kNone;
}

bool valid_variable_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxPathChars &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
         });
}

bool placeholder_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

detail::JsonPath checked_path(std::string_view target_id, std::string_view what,
                              std::string_view text) {
  auto path = text.size() <= kMaxPathChars ? detail::parse_json_path(text) : std::nullopt;
  if (!path) {
    throw validation(std::string(what) + " for target " + std::string(target_id) +
                     " is not a valid JSON path: " + std::string(text));
  }
  return *path;
}

}  // namespace

struct TargetInput::Compiled {
  Kind kind = Kind::kEvent;
  std::string constant;
  detail::JsonPath path;

  // A template as literal runs and placeholders, in order.
  struct Piece {
    std::string literal;    ///< text before the placeholder
    bool has_name = false;  ///< false for the final run
    Predefined predefined = Predefined::kNone;
    size_t variable = 0;     ///< index into `variables` when not predefined
    bool in_string = false;  ///< inside a JSON string of a JSON template
  };
  std::vector<Piece> pieces;
  std::vector<detail::JsonPath> variables;
  bool json_template = false;

  std::string fill(const json& event, const TargetContext& context) const;
};

namespace {

// One placeholder's text in its place.
std::string placeholder_text(const TargetInput::Compiled::Piece& piece, const json* value,
                             const json& event, const TargetContext& context, bool json_template) {
  const bool as_json = json_template && !piece.in_string;
  const auto string_value = [&](const std::string& text) {
    return as_json ? text_of(json(text)) : text;
  };
  switch (piece.predefined) {
    // Both event forms go in as JSON wherever they stand (AWS: "only usable as the value of a
    // JSON field, because its content is not escaped"); `aws.events.event` leaves `detail` out.
    case Predefined::kEvent: {
      if (!event.is_object()) return text_of(event);
      json envelope = event;
      envelope.erase("detail");
      return text_of(envelope);
    }
    case Predefined::kEventJson:
      return text_of(event);
    case Predefined::kRuleArn:
      return string_value(context.rule_arn);
    case Predefined::kRuleName:
      return string_value(context.rule_name);
    case Predefined::kIngestionTime:
      return string_value(context.ingestion_time);
    case Predefined::kNone:
      break;
  }
  if (value == nullptr) return as_json ? "null" : "";
  if (as_json) return text_of(*value);
  // Inside a string (or in a plain-text template) a string goes in raw: AWS does not escape
  // what an InputPath extracts, so a value holding a quote breaks the JSON, as it does there.
  return value->is_string() ? value->get<std::string>() : text_of(*value);
}

}  // namespace

std::string TargetInput::Compiled::fill(const json& event, const TargetContext& context) const {
  std::string out;
  for (const Piece& piece : pieces) {
    out += piece.literal;
    if (!piece.has_name) continue;
    const json* value = piece.predefined == Predefined::kNone
                            ? detail::resolve(variables[piece.variable], event)
                            : nullptr;
    out += placeholder_text(piece, value, event, context, json_template);
  }
  return out;
}

TargetInput::TargetInput() : compiled_(std::make_shared<const Compiled>()) {}

TargetInput::TargetInput(std::shared_ptr<const Compiled> compiled)
    : compiled_(std::move(compiled)) {}

TargetInput::Kind TargetInput::kind() const {
  return compiled_->kind;
}

TargetInput TargetInput::constant(std::string_view target_id, std::string_view input) {
  if (input.size() > kMaxInputChars || !json::accept(input)) {
    throw validation("Input for target " + std::string(target_id) + " is not a valid JSON text.");
  }
  auto compiled = std::make_shared<Compiled>();
  compiled->kind = Kind::kConstant;
  compiled->constant = std::string(input);
  return TargetInput(std::move(compiled));
}

TargetInput TargetInput::path(std::string_view target_id, std::string_view input_path) {
  auto compiled = std::make_shared<Compiled>();
  compiled->kind = Kind::kPath;
  compiled->path = checked_path(target_id, "InputPath", input_path);
  return TargetInput(std::move(compiled));
}

TargetInput TargetInput::transformer(std::string_view target_id, const json& input_paths_map,
                                     std::string_view input_template) {
  const std::string id(target_id);
  auto compiled = std::make_shared<Compiled>();
  compiled->kind = Kind::kTransformer;

  std::map<std::string, size_t, std::less<>> names;
  if (!input_paths_map.is_null()) {
    if (!input_paths_map.is_object()) {
      throw validation("InputPathsMap for target " + id + " must be a map of names to paths.");
    }
    if (input_paths_map.size() > kMaxPathsMapEntries) {
      throw validation("InputPathsMap for target " + id + " has more than " +
                       std::to_string(kMaxPathsMapEntries) + " entries.");
    }
    for (const auto& [name, path] : input_paths_map.items()) {
      if (predefined(name) != Predefined::kNone) {
        throw validation("InputPathsMap for target " + id + " redefines the reserved name " + name +
                         ".");
      }
      if (!valid_variable_name(name)) {
        throw validation("InputPathsMap for target " + id + " has an invalid name: " + name +
                         " (letters, digits, '_' and '-' only).");
      }
      if (!path.is_string()) {
        throw validation("InputPathsMap for target " + id + ": the path of " + name +
                         " must be a string.");
      }
      names.emplace(name, compiled->variables.size());
      compiled->variables.push_back(
          checked_path(id, "InputPathsMap entry " + name, path.get_ref<const std::string&>()));
    }
  }

  if (input_template.empty() || input_template.size() > kMaxTemplateChars) {
    throw validation("InputTemplate for target " + id + " must have 1 to " +
                     std::to_string(kMaxTemplateChars) + " characters.");
  }
  const auto first = input_template.find_first_not_of(" \t\r\n");
  compiled->json_template = first != std::string_view::npos &&
                            (input_template[first] == '{' || input_template[first] == '[' ||
                             input_template[first] == '"');

  // One pass: split at placeholders, noting whether each sits inside a JSON string.
  Compiled::Piece piece;
  bool in_string = false;
  for (size_t i = 0; i < input_template.size(); ++i) {
    const char c = input_template[i];
    if (compiled->json_template && in_string && c == '\\' && i + 1 < input_template.size()) {
      piece.literal += c;
      piece.literal += input_template[++i];
      continue;
    }
    if (c == '"') in_string = !in_string;
    if (c == '<') {
      size_t end = i + 1;
      while (end < input_template.size() && placeholder_char(input_template[end])) ++end;
      if (end > i + 1 && end < input_template.size() && input_template[end] == '>') {
        const std::string_view name = input_template.substr(i + 1, end - i - 1);
        piece.has_name = true;
        piece.in_string = compiled->json_template && in_string;
        piece.predefined = predefined(name);
        if (piece.predefined == Predefined::kNone) {
          const auto found = names.find(name);
          if (found == names.end()) {
            throw validation("InputTemplate for target " + id + " contains invalid placeholder " +
                             std::string(name) + ".");
          }
          piece.variable = found->second;
        }
        compiled->pieces.push_back(std::move(piece));
        piece = {};
        i = end;
        continue;
      }
    }
    piece.literal += c;
  }
  compiled->pieces.push_back(std::move(piece));

  // A JSON template must be JSON whatever the values: filled with placeholders' stand-ins
  // (`null` outside strings, which also refuses a placeholder used as an object key, as AWS does).
  if (compiled->json_template) {
    std::string sample;
    for (const Compiled::Piece& p : compiled->pieces) {
      sample += p.literal;
      if (p.has_name) sample += p.in_string ? "x" : "null";
    }
    if (!json::accept(sample)) {
      throw validation("InputTemplate for target " + id + " is not a valid JSON text.");
    }
  }
  return TargetInput(std::move(compiled));
}

TargetInput TargetInput::from_target(const json& target) {
  if (!target.is_object()) throw validation("A target must be an object.");
  const auto id_member = target.find("Id");
  const std::string id =
      id_member != target.end() && id_member->is_string() ? id_member->get<std::string>() : "";
  const auto input = target.find("Input");
  const auto path = target.find("InputPath");
  const auto transformer = target.find("InputTransformer");
  const int given = (input != target.end() && !input->is_null()) +
                    (path != target.end() && !path->is_null()) +
                    (transformer != target.end() && !transformer->is_null());
  if (given > 1) {
    throw validation(
        "Only one of Input, InputPath, or InputTransformer must be provided for "
        "target " +
        id + ".");
  }
  if (input != target.end() && !input->is_null()) {
    if (!input->is_string()) throw validation("Input for target " + id + " must be a string.");
    return constant(id, input->get_ref<const std::string&>());
  }
  if (path != target.end() && !path->is_null()) {
    if (!path->is_string()) throw validation("InputPath for target " + id + " must be a string.");
    return TargetInput::path(id, path->get_ref<const std::string&>());
  }
  if (transformer != target.end() && !transformer->is_null()) {
    if (!transformer->is_object()) {
      throw validation("InputTransformer for target " + id + " must be an object.");
    }
    const auto paths_map = transformer->find("InputPathsMap");
    const auto input_template = transformer->find("InputTemplate");
    if (input_template == transformer->end() || !input_template->is_string()) {
      throw validation("InputTransformer for target " + id + " needs an InputTemplate string.");
    }
    return TargetInput::transformer(id, paths_map == transformer->end() ? json() : *paths_map,
                                    input_template->get_ref<const std::string&>());
  }
  return TargetInput();
}

std::string TargetInput::render(const json& event, const TargetContext& context) const {
  const Compiled& c = *compiled_;
  switch (c.kind) {
    case Kind::kEvent:
      return text_of(event);
    case Kind::kConstant:
      return c.constant;
    case Kind::kPath: {
      const json* value = detail::resolve(c.path, event);
      return value == nullptr ? std::string() : text_of(*value);
    }
    case Kind::kTransformer: {
      std::string filled = c.fill(event, context);
      if (!c.json_template) return filled;
      // AWS hands targets minified JSON; member order is kept (ordered_json).
      auto parsed = nlohmann::ordered_json::parse(filled, nullptr, false);
      return parsed.is_discarded() ? filled : text_of(parsed);
    }
  }
  return text_of(event);
}

}  // namespace lambdad::events
