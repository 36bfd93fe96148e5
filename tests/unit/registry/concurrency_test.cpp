// Reserved concurrency in the registry: PutFunctionConcurrency's rules, persistence across
// restarts, the template's ownership of what it declares, GetAccountSettings' figures.

#include "lambdad/registry/concurrency.hpp"

#include <gtest/gtest.h>

#include "registry_fixture.hpp"

namespace lambdad::registry {
namespace {

TEST(UnreservedMinimum, AWSsHundredOrATenthOfASmallerLimit) {
  EXPECT_EQ(unreserved_minimum(1000), 100);
  EXPECT_EQ(unreserved_minimum(5000), 100);
  EXPECT_EQ(unreserved_minimum(200), 20);
  EXPECT_EQ(unreserved_minimum(15), 2);
  EXPECT_EQ(unreserved_minimum(10), 1);
  EXPECT_EQ(unreserved_minimum(1), 1);
}

TEST(CheckReservation, LeavesTheMinimumUnreserved) {
  EXPECT_NO_THROW(check_reservation(1000, 0, std::nullopt, 900, 0));
  EXPECT_NO_THROW(check_reservation(1000, 400, std::nullopt, 500, 0));
  EXPECT_NO_THROW(check_reservation(1000, 0, std::nullopt, 0, 0));
  const AwsError over = error_of([] { check_reservation(1000, 0, std::nullopt, 901, 0); });
  EXPECT_EQ(over.status, 400);
  EXPECT_EQ(over.type, "InvalidParameterValueException");
  EXPECT_EQ(over.message,
            "Specified ReservedConcurrentExecutions for function decreases account's "
            "UnreservedConcurrentExecution below its minimum value of [100].");
  EXPECT_EQ(error_of([] { check_reservation(1000, 400, 100, 501, 0); }).status, 400);
  EXPECT_EQ(error_of([] { check_reservation(10, 0, std::nullopt, 10, 0); }).message,
            "Specified ReservedConcurrentExecutions for function decreases account's "
            "UnreservedConcurrentExecution below its minimum value of [1].");
  EXPECT_EQ(error_of([] { check_reservation(1000, 0, std::nullopt, 2147483647, 0); }).status, 400);
  EXPECT_EQ(error_of([] { check_reservation(1000, 2000000000, 5, 2000000000, 0); }).status, 400);
}

TEST(CheckReservation, LoweringIsAlwaysAllowed) {
  // A server restarted with a smaller --max-concurrency: the reservations made under the old
  // limit can still come down.
  EXPECT_NO_THROW(check_reservation(100, 300, 200, 150, 0));
  EXPECT_NO_THROW(check_reservation(100, 300, 200, 200, 0));
  EXPECT_EQ(error_of([] { check_reservation(100, 300, 200, 201, 0); }).status, 400);
}

TEST(CheckReservation, NotBelowTheProvisionedConcurrency) {
  EXPECT_NO_THROW(check_reservation(1000, 0, 5, 3, 3));
  const AwsError e = error_of([] { check_reservation(1000, 0, 5, 2, 3); });
  EXPECT_EQ(e.type, "InvalidParameterValueException");
  EXPECT_NE(e.message.find("provisioned concurrency [3]"), std::string::npos) << e.message;
}

TEST(SameApartFromReservation, OnlyTheReservationIsIgnored) {
  FunctionConfig a;
  a.name = "f";
  a.properties = {{"Runtime", "provided.al2023"}};
  FunctionConfig b = a;
  b.reserved_concurrency = 3;
  b.properties["ReservedConcurrentExecutions"] = 3;
  EXPECT_TRUE(same_apart_from_reservation(a, b));
  b.memory_mb = 256;
  EXPECT_FALSE(same_apart_from_reservation(a, b));
}

class RegistryConcurrencyTest : public RegistryTest {
 protected:
  /// Creates a function whose code echoes `body` (the same body, the same zip).
  FunctionRecord create(const std::string& name, const std::string& body = "one") {
    if (!bodies.contains(body))
      bodies[body] = zip_of({{"bootstrap", "#!/bin/sh\necho " + body + "\n"}});
    CreateRequest request;
    request.name = name;
    request.config.runtime = "provided.al2023";
    request.config.handler = "handler";
    request.zip = bodies[body];
    return run(registry->create(std::move(request)));
  }

  static FunctionConfig template_function(const std::string& name,
                                          std::optional<int> reserved = std::nullopt) {
    FunctionConfig c;
    c.name = c.logical_id = name;
    c.runtime = "provided.al2023";
    c.code_dir = "/tmp/lambdad-registry-concurrency-test/" + name;
    c.reserved_concurrency = reserved;
    return c;
  }

  std::optional<int> served(const std::string& name) {
    for (const auto& f : registry->functions()) {
      if (f.name == name) return f.reserved_concurrency;
    }
    ADD_FAILURE() << name << " is not served";
    return std::nullopt;
  }

  std::map<std::string, std::string> bodies;  ///< a body → the zip of the code echoing it
};

TEST_F(RegistryConcurrencyTest, PutIsServedAndSurvivesARestartWithoutANewRevision) {
  const FunctionRecord made = create("fn");
  const int before = changes;
  EXPECT_EQ(registry->reserved_concurrency("fn"), std::nullopt);
  EXPECT_EQ(run(registry->put_concurrency("fn", 5)), 5);
  EXPECT_EQ(changes, before + 1) << "the scheduler was handed the new reservation";
  EXPECT_EQ(registry->reserved_concurrency("fn"), 5);
  EXPECT_EQ(served("fn"), 5);
  EXPECT_EQ(registry->find("fn")->revision_id, made.revision_id);
  EXPECT_EQ(registry->find("fn")->last_update_status, UpdateStatus::kSuccessful);
  open();
  EXPECT_EQ(registry->reserved_concurrency("fn"), 5);
  EXPECT_EQ(served("fn"), 5);
  run(registry->delete_concurrency("fn"));
  EXPECT_EQ(registry->reserved_concurrency("fn"), std::nullopt);
  open();
  EXPECT_EQ(registry->reserved_concurrency("fn"), std::nullopt);
}

TEST_F(RegistryConcurrencyTest, ZeroIsAReservation) {
  create("fn");
  run(registry->put_concurrency("fn", 0));
  EXPECT_EQ(served("fn"), 0);
  open();
  EXPECT_EQ(registry->reserved_concurrency("fn"), 0);
}

TEST_F(RegistryConcurrencyTest, RefusedPutsWriteNothing) {
  create("fn");
  create("other", "two");
  run(registry->put_concurrency("other", 400));
  const int before = changes;
  for (int reserved : {501, 901, 1000, 1001}) {
    const AwsError e = error_of([&] { run(registry->put_concurrency("fn", reserved)); });
    EXPECT_EQ(e.type, "InvalidParameterValueException") << reserved;
  }
  const AwsError missing = error_of([&] { run(registry->put_concurrency("nope", 1)); });
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.type, "ResourceNotFoundException");
  EXPECT_EQ(error_of([&] { run(registry->delete_concurrency("nope")); }).status, 404);
  EXPECT_EQ(error_of([&] { (void)registry->reserved_concurrency("nope"); }).status, 404);
  EXPECT_EQ(changes, before);
  EXPECT_EQ(registry->reserved_concurrency("fn"), std::nullopt);
  open();
  EXPECT_EQ(registry->reserved_concurrency("fn"), std::nullopt);
  EXPECT_EQ(registry->reserved_concurrency("other"), 400);
  EXPECT_EQ(run(registry->put_concurrency("fn", 500)), 500) << "exactly the minimum left";
}

TEST_F(RegistryConcurrencyTest, APutWhileAnUpdateIsInProgressConflicts) {
  create("fn");
  ConfigPatch patch;
  patch.memory_mb = 256;
  auto update = asio::co_spawn(io, registry->update_configuration("fn", patch, std::nullopt),
                               asio::use_future);
  auto put = asio::co_spawn(io, registry->put_concurrency("fn", 3), asio::use_future);
  while (update.wait_for(0s) != std::future_status::ready ||
         put.wait_for(0s) != std::future_status::ready) {
    io.restart();
    io.run_for(5ms);
  }
  io.restart();
  io.poll();
  EXPECT_NO_THROW(update.get());
  EXPECT_EQ(error_of([&] { put.get(); }).status, 409);
  EXPECT_EQ(registry->reserved_concurrency("fn"), std::nullopt);
  EXPECT_EQ(registry->find("fn")->config.memory_mb, 256);
}

TEST_F(RegistryConcurrencyTest, AnUpdateAfterAPutKeepsTheReservation) {
  create("fn");
  run(registry->put_concurrency("fn", 7));
  ConfigPatch patch;
  patch.timeout_s = 30;
  run(registry->update_configuration("fn", patch, std::nullopt));
  EXPECT_EQ(registry->reserved_concurrency("fn"), 7);
  open();
  EXPECT_EQ(registry->find("fn")->config.timeout_s, 30);
  EXPECT_EQ(registry->reserved_concurrency("fn"), 7);
}

TEST_F(RegistryConcurrencyTest, ADeletedFunctionTakesItsReservationWithIt) {
  create("fn");
  run(registry->put_concurrency("fn", 7));
  run(registry->remove("fn"));
  EXPECT_EQ(registry->account().unreserved, 1000);
  create("fn", "again");
  EXPECT_EQ(registry->reserved_concurrency("fn"), std::nullopt);
  open();
  EXPECT_EQ(registry->reserved_concurrency("fn"), std::nullopt);
}

TEST_F(RegistryConcurrencyTest, OnATemplateFunctionThatDeclaresNoneItLasts) {
  const FunctionConfig tmpl = template_function("T");
  open({tmpl});
  run(registry->put_concurrency("T", 4));
  EXPECT_EQ(served("T"), 4);
  EXPECT_FALSE(registry->find("T")->changed_by_api);
  registry->set_template({tmpl});  // a hot reload
  EXPECT_EQ(served("T"), 4);
  open({tmpl});  // a restart
  EXPECT_EQ(served("T"), 4);
  EXPECT_EQ(registry->find("T")->origin, Origin::kTemplate);
  EXPECT_EQ(registry->find("T")->revision_id.size(), 36u);
  // Gone from the template: its reservation goes with it.
  registry->set_template({});
  registry->set_template({tmpl});
  EXPECT_EQ(served("T"), std::nullopt);
  open({tmpl});
  EXPECT_EQ(served("T"), std::nullopt);
}

TEST_F(RegistryConcurrencyTest, AnUnchangedTemplateFunctionKeepsItsRevisionBesideAPut) {
  const FunctionConfig tmpl = template_function("T");
  registry->set_template({tmpl}, {{"T", "fp"}});
  const std::string revision = registry->find("T")->revision_id;
  run(registry->put_concurrency("T", 4));
  registry->set_template({tmpl}, {{"T", "fp"}});
  EXPECT_EQ(registry->find("T")->revision_id, revision);
  EXPECT_EQ(served("T"), 4);
}

TEST_F(RegistryConcurrencyTest, TheTemplateOwnsTheReservationItDeclares) {
  const FunctionConfig tmpl = template_function("T", 2);
  open({tmpl});
  EXPECT_EQ(served("T"), 2);
  run(registry->put_concurrency("T", 9));
  EXPECT_EQ(served("T"), 9) << "until the template's next deploy";
  registry->set_template({tmpl});
  EXPECT_EQ(served("T"), 2);
  open({tmpl});
  EXPECT_EQ(served("T"), 2);

  // A Delete lifts it, likewise until the next deploy (a restart is one).
  run(registry->delete_concurrency("T"));
  EXPECT_EQ(served("T"), std::nullopt);
  open({tmpl});
  EXPECT_EQ(served("T"), 2);
}

TEST_F(RegistryConcurrencyTest, ATemplateThatStartsDeclaringItWins) {
  FunctionConfig tmpl = template_function("T");
  open({tmpl});
  run(registry->put_concurrency("T", 6));
  tmpl.reserved_concurrency = 3;
  registry->set_template({tmpl});
  EXPECT_EQ(served("T"), 3);
  tmpl.reserved_concurrency.reset();
  registry->set_template({tmpl});
  EXPECT_EQ(served("T"), std::nullopt) << "the API's value went when the template took it over";
}

TEST_F(RegistryConcurrencyTest, TemplatesReservingMoreThanAnIntHoldsAreCountedRight) {
  open({template_function("A", 1 << 30), template_function("B", 1 << 30),
        template_function("C", 1 << 30)});
  create("fn");
  EXPECT_EQ(error_of([&] { run(registry->put_concurrency("fn", 1)); }).type,
            "InvalidParameterValueException");
  EXPECT_EQ(registry->account().unreserved, 0);
  EXPECT_EQ(run(registry->put_concurrency("A", 5)), 5) << "lowering passes";
}

TEST_F(RegistryConcurrencyTest, AccountFigures) {
  open({template_function("T", 50)}, 500);
  const FunctionRecord a = create("a");
  create("b", "two");
  run(registry->put_concurrency("a", 20));
  const AccountFigures figures = registry->account();
  EXPECT_EQ(figures.concurrency_limit, 500);
  EXPECT_EQ(figures.unreserved, 430);
  EXPECT_EQ(figures.function_count, 3u);
  EXPECT_EQ(figures.code_bytes, a.code_size + registry->find("b")->code_size);
  // A zip two functions use is kept once.
  create("c");  // the same content as a
  EXPECT_EQ(registry->account().code_bytes, figures.code_bytes);
  // The limit applies: 500 keeps 50 unreserved.
  EXPECT_EQ(error_of([&] { run(registry->put_concurrency("b", 381)); }).message,
            "Specified ReservedConcurrentExecutions for function decreases account's "
            "UnreservedConcurrentExecution below its minimum value of [50].");
  EXPECT_EQ(run(registry->put_concurrency("b", 380)), 380);
  EXPECT_EQ(registry->account().unreserved, 50);
}

}  // namespace
}  // namespace lambdad::registry
