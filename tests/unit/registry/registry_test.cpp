// The registry's transitions and persistence, on a real SQLite file and real folders: create,
// update, conflicts, RevisionId, restart, the template's ownership, leftovers of a crash.

#include "lambdad/registry/registry.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "registry_fixture.hpp"

namespace lambdad::registry {
namespace {

TEST_F(RegistryTest, CreateKeepsTheZipBesideItsFolderAndBecomesActive) {
  const FunctionRecord made = run(registry->create(create_request("fn")));
  EXPECT_EQ(made.state, State::kPending);  // as CreateFunction answers
  EXPECT_EQ(made.origin, Origin::kApi);
  EXPECT_EQ(made.last_modified(), "2023-11-14T22:13:20.000+0000");
  EXPECT_EQ(made.revision_id.size(), 36u);
  EXPECT_EQ(made.config.code_dir, dir / "code" / made.code_hex);
  EXPECT_TRUE(fs::is_regular_file(made.config.code_dir / "bootstrap"));
  EXPECT_TRUE(fs::is_regular_file(dir / "code" / (made.code_hex + ".zip")));
  EXPECT_EQ(made.code_size, fs::file_size(dir / "code" / (made.code_hex + ".zip")));
  EXPECT_EQ(made.code_sha256.size(), 44u);  // base64 of 32 bytes
  EXPECT_EQ(changes, 1);
  const FunctionRecord* now = registry->find("fn");
  ASSERT_NE(now, nullptr);
  EXPECT_EQ(now->state, State::kActive);
  EXPECT_EQ(now->last_update_status, UpdateStatus::kSuccessful);
  ASSERT_EQ(registry->functions().size(), 1u);
  EXPECT_EQ(registry->functions()[0].environment.at("A"), "1");
}

TEST_F(RegistryTest, ASecondCreateOfTheSameNameConflicts) {
  run(registry->create(create_request("fn")));
  const auto before = *registry->find("fn");
  const AwsError e = error_of([&] { run(registry->create(create_request("fn", "two"))); });
  EXPECT_EQ(e.status, 409);
  EXPECT_EQ(e.type, "ResourceConflictException");
  EXPECT_EQ(e.message, "Function already exist: fn");
  EXPECT_EQ(registry->find("fn")->revision_id, before.revision_id);
}

TEST_F(RegistryTest, ARefusedZipLeavesNothing) {
  for (const std::string& zip :
       {std::string("not a zip at all"), zip_of({{"bootstrap", "x"}}).substr(0, 40)}) {
    CreateRequest request = create_request("bad");
    request.zip = zip;
    const AwsError e = error_of([&] { run(registry->create(std::move(request))); });
    EXPECT_EQ(e.type, "InvalidParameterValueException");
    EXPECT_NE(e.message.find("Could not unzip uploaded file"), std::string::npos) << e.message;
    EXPECT_EQ(registry->find("bad"), nullptr);
    EXPECT_EQ(code_entries(), 0u);
  }
  EXPECT_EQ(changes, 0);
  open();  // and nothing was committed
  EXPECT_EQ(registry->find("bad"), nullptr);
}

TEST_F(RegistryTest, UpdateCodeChecksTheRevisionAndChangesIt) {
  const FunctionRecord made = run(registry->create(create_request("fn")));
  clock_ms += 60000;
  const AwsError stale = error_of([&] {
    run(registry->update_code("fn", zip_of({{"bootstrap", "new"}}), std::string("nope"), false));
  });
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(stale.type, "PreconditionFailedException");
  EXPECT_EQ(registry->find("fn")->code_hex, made.code_hex);

  const FunctionRecord updated =
      run(registry->update_code("fn", zip_of({{"bootstrap", "new"}}), made.revision_id, false));
  EXPECT_NE(updated.revision_id, made.revision_id);
  EXPECT_NE(updated.code_hex, made.code_hex);
  EXPECT_EQ(updated.last_update_status, UpdateStatus::kInProgress);  // as the answer says
  EXPECT_EQ(updated.last_modified(), "2023-11-14T22:14:20.000+0000");
  EXPECT_EQ(registry->find("fn")->last_update_status, UpdateStatus::kSuccessful);
  EXPECT_EQ(registry->find("fn")->config.code_dir, dir / "code" / updated.code_hex);
  EXPECT_EQ(changes, 2);
}

TEST_F(RegistryTest, DryRunChangesNothing) {
  const FunctionRecord made = run(registry->create(create_request("fn")));
  const size_t entries = code_entries();
  const FunctionRecord dry =
      run(registry->update_code("fn", zip_of({{"bootstrap", "other"}}), std::nullopt, true));
  EXPECT_NE(dry.code_sha256, made.code_sha256);
  EXPECT_EQ(registry->find("fn")->code_sha256, made.code_sha256);
  EXPECT_EQ(registry->find("fn")->revision_id, made.revision_id);
  EXPECT_EQ(code_entries(), entries);
  EXPECT_EQ(changes, 1);
}

TEST_F(RegistryTest, AnUpdateWhileAnotherIsInProgressConflicts) {
  run(registry->create(create_request("fn")));
  auto first = asio::co_spawn(
      io, registry->update_code("fn", zip_of({{"bootstrap", "slow"}}), std::nullopt, false),
      asio::use_future);
  ConfigPatch patch;
  patch.memory_mb = 256;
  auto second = asio::co_spawn(io, registry->update_configuration("fn", patch, std::nullopt),
                               asio::use_future);
  while (first.wait_for(0s) != std::future_status::ready ||
         second.wait_for(0s) != std::future_status::ready) {
    io.restart();
    io.run_for(5ms);
  }
  io.restart();
  io.poll();
  EXPECT_NO_THROW(first.get());
  const AwsError e = error_of([&] { second.get(); });
  EXPECT_EQ(e.status, 409);
  EXPECT_EQ(e.type, "ResourceConflictException");
  EXPECT_NE(e.message.find("An update is in progress for resource: "), std::string::npos);
  EXPECT_EQ(registry->find("fn")->config.memory_mb, 128);
  EXPECT_EQ(registry->find("fn")->last_update_status, UpdateStatus::kSuccessful);
}

TEST_F(RegistryTest, UpdateConfigurationReplacesTheEnvironmentWhole) {
  run(registry->create(create_request("fn")));
  ConfigPatch patch;
  patch.environment = std::map<std::string, std::string>{{"B", "2"}};
  patch.timeout_s = 30;
  const FunctionRecord updated = run(registry->update_configuration("fn", patch, std::nullopt));
  EXPECT_EQ(updated.config.environment, (std::map<std::string, std::string>{{"B", "2"}}));
  EXPECT_EQ(updated.config.timeout_s, 30);
  EXPECT_EQ(updated.config.runtime, "provided.al2023");  // what the patch does not name stays
}

TEST_F(RegistryTest, FunctionsSurviveARestart) {
  const FunctionRecord made = run(registry->create(create_request("fn")));
  ConfigPatch patch;
  patch.memory_mb = 512;
  const FunctionRecord updated = run(registry->update_configuration("fn", patch, std::nullopt));
  open();
  const FunctionRecord* found = registry->find("fn");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->origin, Origin::kApi);
  EXPECT_EQ(found->revision_id, updated.revision_id);
  EXPECT_EQ(found->config.memory_mb, 512);
  EXPECT_EQ(found->config.environment.at("A"), "1");
  EXPECT_EQ(found->role, "arn:aws:iam::123456789012:role/r");
  EXPECT_EQ(found->code_sha256, made.code_sha256);
  EXPECT_EQ(found->config.code_dir, made.config.code_dir);
  EXPECT_EQ(found->state, State::kActive);
}

TEST_F(RegistryTest, DeleteRemovesTheRowAndTheNextStartItsCode) {
  const FunctionRecord made = run(registry->create(create_request("fn")));
  run(registry->remove("fn"));
  EXPECT_EQ(registry->find("fn"), nullptr);
  EXPECT_EQ(changes, 2);
  // Workers may still run on it: the code goes at the next start.
  EXPECT_TRUE(fs::is_directory(made.config.code_dir));
  open();
  EXPECT_EQ(registry->find("fn"), nullptr);
  EXPECT_FALSE(fs::exists(made.config.code_dir));
  EXPECT_FALSE(fs::exists(dir / "code" / (made.code_hex + ".zip")));
  EXPECT_EQ(error_of([&] { run(registry->remove("fn")); }).status, 404);
}

TEST_F(RegistryTest, AnInterruptedCreateLeavesNoFunctionAfterTheNextStart) {
  // What a crash leaves at each step: an upload half written, a zip renamed into place, a zip
  // and its folder without their row.
  const FunctionRecord kept = run(registry->create(create_request("kept")));
  fs::create_directories(dir / "code");
  std::ofstream(dir / "code" / ".tmp-upload-1-0.zip") << "half";
  fs::create_directories(dir / "code" / ".tmp-abc-1-0");
  const std::string orphan(64, 'a');
  std::ofstream(dir / "code" / (orphan + ".zip")) << "zip";
  fs::create_directories(dir / "code" / orphan);
  // A template's unzipped CodeUri of the same content stays.
  const std::string used_by_template(64, 'b');
  std::ofstream(dir / "code" / (used_by_template + ".zip")) << "zip";
  fs::create_directories(dir / "code" / used_by_template);
  FunctionConfig tmpl;
  tmpl.name = tmpl.logical_id = "FromTemplate";
  tmpl.code_dir = dir / "code" / used_by_template;
  open({tmpl});
  EXPECT_FALSE(fs::exists(dir / "code" / ".tmp-upload-1-0.zip"));
  EXPECT_FALSE(fs::exists(dir / "code" / ".tmp-abc-1-0"));
  EXPECT_FALSE(fs::exists(dir / "code" / (orphan + ".zip")));
  EXPECT_FALSE(fs::exists(dir / "code" / orphan));
  EXPECT_TRUE(fs::is_directory(dir / "code" / used_by_template));
  EXPECT_TRUE(fs::is_directory(kept.config.code_dir));
  EXPECT_TRUE(fs::exists(dir / "code" / (kept.code_hex + ".zip")));
  EXPECT_EQ(registry->list().size(), 2u);
}

TEST_F(RegistryTest, TheTemplateOwnsWhatItDeclares) {
  FunctionConfig tmpl;
  tmpl.name = tmpl.logical_id = "Shared";
  tmpl.runtime = "provided.al2023";
  tmpl.code_dir = dir / "tmpl";
  registry->set_template({tmpl});
  // The API cannot take a template's name, nor delete a template's function.
  EXPECT_EQ(error_of([&] { run(registry->create(create_request("Shared"))); }).status, 409);
  EXPECT_EQ(error_of([&] { run(registry->remove("Shared")); }).status, 409);
  // It may change it until the template's next deploy, which undoes that.
  ConfigPatch patch;
  patch.memory_mb = 1024;
  run(registry->update_configuration("Shared", patch, std::nullopt));
  EXPECT_TRUE(registry->find("Shared")->changed_by_api);
  registry->set_template({tmpl});
  EXPECT_EQ(registry->find("Shared")->config.memory_mb, 128);
  EXPECT_FALSE(registry->find("Shared")->changed_by_api);

  // A function made through the API whose name the template then declares becomes the
  // template's, and its row goes.
  run(registry->create(create_request("Later")));
  FunctionConfig later = tmpl;
  later.name = later.logical_id = "Later";
  registry->set_template({tmpl, later});
  EXPECT_EQ(registry->find("Later")->origin, Origin::kTemplate);
  open({tmpl});
  EXPECT_EQ(registry->find("Later"), nullptr);
}

TEST_F(RegistryTest, AnUnchangedTemplateFunctionKeepsItsRevision) {
  FunctionConfig tmpl;
  tmpl.name = tmpl.logical_id = "T";
  tmpl.code_dir = dir / "tmpl";
  registry->set_template({tmpl}, {{"T", "fp1"}});
  const std::string first = registry->find("T")->revision_id;
  clock_ms += 1000;
  registry->set_template({tmpl}, {{"T", "fp1"}});
  EXPECT_EQ(registry->find("T")->revision_id, first);
  registry->set_template({tmpl}, {{"T", "fp2"}});  // its code changed
  EXPECT_NE(registry->find("T")->revision_id, first);
  tmpl.memory_mb = 256;
  const std::string second = registry->find("T")->revision_id;
  registry->set_template({tmpl}, {{"T", "fp2"}});
  EXPECT_NE(registry->find("T")->revision_id, second);
}

TEST_F(RegistryTest, LayersAreTheTemplatesByFolderName) {
  FunctionConfig tmpl;
  tmpl.name = tmpl.logical_id = "T";
  tmpl.layers = {dir / "layers" / "common"};
  registry->set_template({tmpl});
  EXPECT_EQ(registry->resolve_layers({"arn:aws:lambda:us-east-1:123456789012:layer:common:1"}),
            std::vector<fs::path>{dir / "layers" / "common"});
  EXPECT_EQ(error_of([&] {
              registry->resolve_layers({"arn:aws:lambda:us-east-1:123456789012:layer:other:1"});
            }).type,
            "InvalidParameterValueException");
  EXPECT_EQ(error_of([&] { registry->resolve_layers({"common"}); }).type, "ValidationException");
}

TEST_F(RegistryTest, TheCodeDownloadIsTheUploadOrTheFolderZipped) {
  const CreateRequest request = create_request("fn");
  const std::string upload = request.zip;
  run(registry->create(request));
  EXPECT_EQ(run(registry->code_zip("fn")), upload);
  FunctionConfig tmpl;
  tmpl.name = tmpl.logical_id = "T";
  tmpl.code_dir = dir / "tmpl";
  fs::create_directories(tmpl.code_dir);
  std::ofstream(tmpl.code_dir / "app.py") << "print(1)\n";
  registry->set_template({tmpl});
  const std::string zip = run(registry->code_zip("T"));
  // Unzipped through the same checks, it gives the folder back.
  CreateRequest again = create_request("roundtrip");
  again.zip = zip;
  const FunctionRecord made = run(registry->create(again));
  std::ifstream in(made.config.code_dir / "app.py");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "print(1)");
}

}  // namespace
}  // namespace lambdad::registry
