#include "actors/page_snapshot.hpp"

#include <memory>
#include <vector>

#include <caf/all.hpp>

#include "browser/ax_snapshot.hpp"
#include "util/json_reader.hpp"
#include "util/json_writer.hpp"

namespace agenttheo {

namespace {

/// One snapshot in the making: the frames still to read, then render.
struct snapshot_job {
  page_self self;
  std::size_t max_chars;
  tool_done done;
  snapshot_source source;
  std::vector<std::string> frame_ids;
  std::size_t next = 0;
};

using job_ptr = std::shared_ptr<snapshot_job>;

/// Every frame below the main one, depth first.
void collect_frames(const rapidjson::Value& tree, std::vector<std::string>& out) {
  json_reader node{tree};
  auto* children = node.array("childFrames");
  if (!children)
    return;
  for (const auto& child : children->GetArray()) {
    if (auto id = json_reader{child}.object("frame").text("id"))
      out.emplace_back(*id);
    collect_frames(child, out);
  }
}

void render(const job_ptr& job) {
  auto snapshot = render_snapshot(job->source, job->max_chars);
  job->self->state.refs.remember(snapshot.refs);
  job->done(succeeded(std::move(snapshot.text)));
}

/// Reads the next frame's tree (under its iframe element's node id), or
/// renders once all are read. A frame that cannot be read (another
/// process's, or gone meanwhile) is shown as not readable.
void read_next_frame(const job_ptr& job) {
  if (job->next >= job->frame_ids.size() || job->next >= max_snapshot_frames)
    return render(job);
  const auto& frame_id = job->frame_ids[job->next++];
  json_writer params;
  params.begin_object().field("frameId", frame_id).end_object();
  cdp(job->self, "DOM.getFrameOwner", params.str(),
      [job, params = params.str()](cdp_result owner) {
        json_document doc{owner.body};
        auto node = json_reader{doc}.integer("backendNodeId");
        if (!owner.ok || !node)
          return read_next_frame(job);
        cdp(job->self, "Accessibility.getFullAXTree", params,
            [job, node = *node](cdp_result tree) {
              job->source.frames[node] = tree.ok ? std::move(tree.body) : std::string{};
              read_next_frame(job);
            });
      });
}

} // namespace

void snapshot_page(page_self self, std::size_t max_chars, tool_done done) {
  auto job = std::make_shared<snapshot_job>();
  job->self = self;
  job->max_chars = max_chars;
  job->done = std::move(done);
  cdp(self, "Accessibility.getFullAXTree", "{}", [job](cdp_result main) {
    if (!main.ok)
      return job->done(fail("cannot read the page's accessibility tree: " + main.body));
    job->source.main_tree_json = std::move(main.body);
    cdp(job->self, "Page.getFrameTree", "{}", [job](cdp_result frames) {
      json_document doc{frames.body};
      if (const auto* tree = json_reader{doc}.any("frameTree"); frames.ok && tree)
        collect_frames(*tree, job->frame_ids);
      read_next_frame(job);
    });
  });
}

} // namespace agenttheo
