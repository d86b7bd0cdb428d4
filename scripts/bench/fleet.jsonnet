// The benchmark fleet of FleetGenerator, written for Jsonnet: ZONES zones in groups of 100
// (99 from a range, one written out), 10 services from templates, four IDCs.
local zones = std.parseInt(std.extVar('zones'));
local services = 10;
local Mi = 1048576;
local Gi = 1073741824;
local idcs = ['a', 'b', 'c', 'd'];
local template(s) = {
  name: 'svc' + s,
  image: 'registry.example.internal/bench/game:1.0.0',
  cpu: if s % 3 == 0 then { millicores: (s % 4 + 1) * 1000, pinned: true }
       else { millicores: 250 * (s + 1), pinned: false },
  memory_bytes: 512 * (s + 1) * Mi,
  disk: { size_bytes: (10 + s) * Gi, mount: '/data' },
  io: { read_bytes_per_second: (100 + s) * 1000000, write_bytes_per_second: (50 + s) * 1000000 },
  network: if s % 3 == 0 then { mode: 'sriov', sriov: { vlan: 100 + s, irq: 'local' } } else { mode: 'overlay' },
  spread: 'host',
  replicas: 1,
};
local ranged(g, i) = local idc = idcs[g % 4]; {
  name: 'g%d-%d' % [g, i],
  index: i,
  idc: idc,
  [if idc == 'a' then 'module']: if i % 2 == 0 then 'm1' else 'm2',
  labels: { shard: 'g%d-%d' % [g, i], wave: '' + (i % 4) },
  services: [
    template(s) {
      replicas: i % 3 + 1,
      memory_bytes: 512 * (s + 1) * Mi + i % 4 * 256 * Mi,
      ports: { game: 7000 + i, admin: 9000 + s },
      env: { ZONE: 'g%d-%d' % [g, i], ROLE: 'svc' + s },
    }
    for s in std.range(0, services - 1)
  ],
};
local extra(g) = {
  name: 'g%d-extra' % g,
  idc: idcs[g % 4],
  services: [template(s) { replicas: 2 } for s in std.range(0, services - 1)],
};
local groups = std.range(0, std.ceil(zones / 100) - 1);
local size(g) = std.min(100, zones - g * 100);
{
  fleet: { name: 'bench', owner: 'bench-ops', labels: { purpose: 'benchmark' } },
  zones: std.flattenArrays([
    [ranged(g, i) for i in std.range(1, size(g) - 1)] + [extra(g)]
    for g in groups
  ]),
}
