-- Replaces a job's document if it is still the version read (else 'conflict'), keeping the queue,
-- the counts, the lease and the webhooks in step with its status. An ended job loses its request and
-- its lease, and is kept twice the result's time to live (its result for one, 'expired' for the next).
-- ARGV: prefix, id, version read, doc, status, webhook due (0/1), now ms, ttl ms
local p, id = ARGV[1], ARGV[2]
local job = p .. 'job:' .. id
local now, ttl = tonumber(ARGV[7]), tonumber(ARGV[8])
local held = redis.call('HMGET', job, 'ver', 'status', 'tenant')
if not held[1] then return 'gone' end
if held[1] ~= ARGV[3] then return 'conflict' end
local before, after = held[2], ARGV[5]
redis.call('HSET', job, 'doc', ARGV[4], 'status', after, 'ver', tonumber(held[1]) + 1)
if before ~= after then
  if before == 'queued' then
    redis.call('DECR', p .. 'queued:' .. held[3])
    redis.call('HINCRBY', p .. 'active', 'queued', -1)
  elseif before == 'running' then
    redis.call('HINCRBY', p .. 'active', 'running', -1)
  end
  if after == 'running' then
    redis.call('HINCRBY', p .. 'active', 'running', 1)
  elseif after ~= 'queued' then
    redis.call('HDEL', job, 'req', 'owner')
    redis.call('HSET', job, 'ended', now)
    redis.call('ZREM', p .. 'leases', id)
    redis.call('ZADD', p .. 'ended:' .. after, now, id)
    redis.call('PEXPIRE', job, 2 * ttl)
  end
end
if ARGV[6] == '1' then
  redis.call('ZADD', p .. 'webhooks', 'NX', now, id)
else
  redis.call('ZREM', p .. 'webhooks', id)
end
return 'ok'
