// The stored operations' state at start and when a function goes.

#include "registry_thread.hpp"
#include "stored_db.hpp"
#include "stored_state.hpp"

namespace lambdad::registry {
namespace {

std::function<bool()> forget_job(RegistryDb* db, std::string name) {
  return [db, name = std::move(name)] {
    forget_function(db->db(), name);
    return true;
  };
}

}  // namespace

void Registry::open_stored() {
  Db& db = thread_->db->db();
  create_tag_table(db);
  create_policy_table(db);
  create_event_invoke_config_table(db);
  create_layer_tables(db);
  create_provisioned_table(db);
  stored_->api_tags = load_api_tags(db);
  stored_->policies = load_policies(db);
  stored_->event_invoke_configs = load_event_invoke_configs(db);
  stored_->provisioned = load_provisioned(db);
  stored_->layers = load_layers(db, options_.state_dir / "code", stored_->last_layer_version);
}

void Registry::forget_stored(const std::string& name) {
  stored_->api_tags.erase(name);
  std::erase_if(stored_->policies, [&](const auto& entry) { return entry.first.first == name; });
  std::erase_if(stored_->event_invoke_configs,
                [&](const auto& entry) { return entry.first.first == name; });
  std::erase_if(stored_->provisioned, [&](const auto& entry) { return entry.first.first == name; });
  thread_->post(
      [job = forget_job(thread_->db.get(), name)] { job(); });  // logged if the disk refuses
}

void Registry::forget_stored(const std::string& name, const std::string& qualifier) {
  // A version's or alias's name is its key in both maps ($LATEST, the one other qualifier, is
  // never deleted alone).
  stored_->policies.erase({name, qualifier});
  stored_->event_invoke_configs.erase({name, qualifier});
  stored_->provisioned.erase({name, qualifier});
}

}  // namespace lambdad::registry
