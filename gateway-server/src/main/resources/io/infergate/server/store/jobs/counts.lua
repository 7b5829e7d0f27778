-- Jobs by status: queued, running, succeeded, failed, cancelled (results still kept), expired.
-- ARGV: prefix, now ms, ttl ms
local p, now, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local active = redis.call('HMGET', p .. 'active', 'queued', 'running')
local out = { tonumber(active[1] or '0'), tonumber(active[2] or '0') }
local expired = 0
for _, status in ipairs({ 'succeeded', 'failed', 'cancelled' }) do
  table.insert(out, redis.call('ZCOUNT', p .. 'ended:' .. status, '(' .. (now - ttl), '+inf'))
  expired = expired + redis.call('ZCOUNT', p .. 'ended:' .. status, '(' .. (now - 2 * ttl), now - ttl)
end
table.insert(out, expired)
return out
