// The models chiprace ships: each registers its ModelDefinition exactly as a plug-in's does
// (chiprace_plugin_models); this list is the only place that names them.
#include "chiprace/model/compute_race.hpp"
#include "chiprace/model/failure_box.hpp"
#include "chiprace/model/ishigami.hpp"
#include "chiprace/model/linear.hpp"
#include "chiprace/model/model_registry.hpp"
#include "chiprace/model/sobol_g.hpp"

namespace chiprace::model {

ModelRegistry& model_registry() {
    static ModelRegistry registry = [] {
        ModelRegistry r;
        for (auto definition : {compute_race_definition, failure_box_definition,
                                ishigami_definition, linear_definition, sobol_g_definition})
            r.add(definition(), "built-in");
        return r;
    }();
    return registry;
}

} // namespace chiprace::model
