// Ablation-CAM's batched head inputs: the target layer's activations with one channel
// zeroed (Desai & Ramaswamy 2020). Batch entry j is pass p = first + j, image b = p / C,
// ablated channel k = p % C:
//
//   out[j,y,x,c] = 0 if c = k, else A[b,y,x,c]
//
// The head runs on these; Ablation-CAM's weight is (y − y_k)/y (see pass_scores).

struct Params {
  first: u32,
  count: u32,
  positions: u32,  // h·w
  channels: u32,   // C
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> activations: array<f32>;
@group(0) @binding(2) var<storage, read_write> ablated: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * nwg.x) * 256u + lid;
  let per_entry = params.positions * params.channels;
  if (index >= params.count * per_entry) { return; }
  let entry = index / per_entry;
  let within = index % per_entry;
  let pass_index = params.first + entry;
  let image = pass_index / params.channels;
  let zeroed = pass_index % params.channels;
  let c = within % params.channels;
  ablated[index] = select(activations[image * per_entry + within], 0.0, c == zeroed);
}
