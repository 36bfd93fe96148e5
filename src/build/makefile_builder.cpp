// sam's `makefile` workflow (BuildMethod: makefile): `make build-<LogicalId>` from the code
// folder's Makefile, with ARTIFACTS_DIR naming the artifact folder, run in the code folder.
#include "lambdad/build/builders.hpp"
#include "steps.hpp"

namespace lambdad::build {

namespace fs = std::filesystem;

void build_makefile(const BuildItem& item, const fs::path& artifact, BuildContext& ctx) {
  const fs::path makefile = item.code_dir / "Makefile";
  if (!fs::exists(makefile)) {
    throw BuildError((item.layer ? "layer '" : "function '") + item.logical_id +
                     "': BuildMethod makefile needs " + makefile.string() + " with a build-" +
                     item.logical_id + " target");
  }
  Command make{.argv = {"make", "-f", makefile.string(), "build-" + item.logical_id},
               .cwd = item.code_dir,
               .env = {{"ARTIFACTS_DIR", artifact.string()}}};
  run_step(ctx, item, make, "make build-" + item.logical_id);
}

}  // namespace lambdad::build
