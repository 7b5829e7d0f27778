-- Takes jobs from the front of route queues for a runner, under a lease until deadline; an id whose
-- job ended meanwhile (cancelled while it waited) is dropped. Returns doc, request, version triples.
-- ARGV: prefix, owner, deadline ms, then route and how many, for each route
local p, owner, deadline = ARGV[1], ARGV[2], ARGV[3]
local out = {}
for i = 4, #ARGV, 2 do
  local route, wanted = ARGV[i], tonumber(ARGV[i + 1])
  while wanted > 0 do
    local id = redis.call('LPOP', p .. 'queue:' .. route)
    if not id then break end
    local job = p .. 'job:' .. id
    local f = redis.call('HMGET', job, 'status', 'doc', 'req', 'ver')
    if f[1] == 'queued' or f[1] == 'running' then
      redis.call('HSET', job, 'owner', owner)
      redis.call('ZADD', p .. 'leases', deadline, id)
      table.insert(out, f[2])
      table.insert(out, f[3])
      table.insert(out, f[4])
      wanted = wanted - 1
    end
  end
end
return out
