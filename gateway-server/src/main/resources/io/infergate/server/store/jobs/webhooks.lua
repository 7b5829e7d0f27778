-- Webhooks due by now, each held until heldUntil so that one runner at a time delivers it.
-- ARGV: prefix, now ms, held until ms, most
local p = ARGV[1]
local due = redis.call('ZRANGEBYSCORE', p .. 'webhooks', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[4]))
local out = {}
for _, id in ipairs(due) do
  local doc = redis.call('HGET', p .. 'job:' .. id, 'doc')
  if doc then
    redis.call('ZADD', p .. 'webhooks', 'XX', ARGV[3], id)
    table.insert(out, doc)
  else
    redis.call('ZREM', p .. 'webhooks', id)
  end
end
return out
