-- A page of a tenant's jobs, newest first: sequence and doc pairs, one more than the limit if there
-- are more. A job past its time to live reads 'expired'; ids whose job is gone are dropped.
-- ARGV: prefix, tenant, before sequence ('+inf' for the first page), limit, status ('' for all), now ms, ttl ms
local p, tenant, limit, wanted = ARGV[1], ARGV[2], tonumber(ARGV[4]), ARGV[5]
local now, ttl = tonumber(ARGV[6]), tonumber(ARGV[7])
local key = p .. 'jobs:' .. tenant
local max = ARGV[3] == '+inf' and '+inf' or '(' .. ARGV[3]
local out = {}
while #out < 2 * (limit + 1) do
  local ids = redis.call('ZREVRANGEBYSCORE', key, max, '-inf', 'WITHSCORES', 'LIMIT', 0, 50)
  if #ids == 0 then break end
  for i = 1, #ids, 2 do
    local id, seq = ids[i], ids[i + 1]
    max = '(' .. seq
    local f = redis.call('HMGET', p .. 'job:' .. id, 'doc', 'status', 'ended')
    if not f[1] then
      redis.call('ZREM', key, id)
    else
      local status = f[2]
      if f[3] and now - tonumber(f[3]) >= ttl then status = 'expired' end
      if wanted == '' or wanted == status then
        table.insert(out, seq)
        table.insert(out, f[1])
        if #out >= 2 * (limit + 1) then break end
      end
    end
  end
end
return out
