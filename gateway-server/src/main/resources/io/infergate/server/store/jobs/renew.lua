-- Extends a lease while it is still the owner's: 0 once the job ended or was taken over.
-- ARGV: prefix, id, owner, deadline ms
local p, id = ARGV[1], ARGV[2]
if redis.call('HGET', p .. 'job:' .. id, 'owner') ~= ARGV[3] or not redis.call('ZSCORE', p .. 'leases', id) then
  return 0
end
redis.call('ZADD', p .. 'leases', ARGV[4], id)
return 1
