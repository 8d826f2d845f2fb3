/*
 * The Lua scripts of the Redis limiter. Every key of one call shares the
 * tenant's hash tag, so a script never spans Redis Cluster slots.
 *
 * Time is Redis's own (TIME), not the caller's: every instance then counts
 * on one clock, in the order Redis runs the scripts. With the caller's clock
 * a request stamped before another but run after it (its round trip was
 * slower, or its machine's clock behind) saw the other's slot ahead of its
 * own "now", and was told to wait longer than the window. A caller may still
 * pass `now` (tests pin time with it).
 *
 * Per subject: a hash of per-slot counters (`r<slot>` requests, `t<slot>`
 * tokens) forming a sliding window of `window / slot` slots; a sorted set of
 * concurrency leases scored by their expiry; a budget counter (US dollars,
 * INCRBYFLOAT) per period. Limits of -1 are unset.
 */

/**
 * Admission. KEYS: per subject, window hash, lease set, budget counter.
 * ARGV: now ('' for Redis's clock), windowMs, slotMs, tokens, leaseId, leaseTtlMs, subjects, then per
 * subject rpm, tpm, concurrency, budgetUsd, budgetSeedUsd, budgetTtlMs.
 * Returns { allowed, reason (0 none, 1 rpm, 2 tpm, 3 concurrency, 4 budget),
 * retryMs, slot, requestLimit, requestRemaining, requestResetMs, tokenLimit,
 * tokenRemaining, tokenResetMs } (limits -1 when none). Nothing is written
 * unless every subject admits the request.
 */
export const ADMIT_SCRIPT = `
-- Redis's clock unless the caller pins one (ARGV[1] non-empty).
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  if redis.replicate_commands then redis.replicate_commands() end
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local now = clock()
local windowMs = tonumber(ARGV[2])
local slotMs = tonumber(ARGV[3])
local tokens = tonumber(ARGV[4])
local lease = ARGV[5]
local leaseTtl = tonumber(ARGV[6])
local count = tonumber(ARGV[7])
local slots = math.floor(windowMs / slotMs)
local current = math.floor(now / slotMs)
local oldest = current - slots + 1
local out = {1, 0, 0, current, -1, -1, 0, -1, -1, 0}

local function retryFor(used, need, limit, perSlot)
  if need > limit then return windowMs end
  table.sort(perSlot, function(a, b) return a[1] < b[1] end)
  local freed = 0
  for _, entry in ipairs(perSlot) do
    freed = freed + entry[2]
    if used - freed + need <= limit then return (entry[1] + slots) * slotMs - now end
  end
  return windowMs
end

local function figure(index, limit, remaining, resetMs)
  if out[index] == -1 or remaining < out[index + 1] then
    out[index] = limit
    out[index + 1] = remaining
    out[index + 2] = resetMs
  end
end

local function reject(reason, retryMs)
  out[1] = 0
  out[2] = reason
  out[3] = math.max(retryMs, 1)
end

local writes = {}
for i = 0, count - 1 do
  local a = 7 + i * 6
  local rpm = tonumber(ARGV[a + 1])
  local tpm = tonumber(ARGV[a + 2])
  local concurrency = tonumber(ARGV[a + 3])
  local budget = tonumber(ARGV[a + 4])
  local seed = ARGV[a + 5]
  local budgetTtl = tonumber(ARGV[a + 6])
  local windowKey = KEYS[i * 3 + 1]
  local leaseKey = KEYS[i * 3 + 2]
  local budgetKey = KEYS[i * 3 + 3]
  if budget >= 0 and out[1] == 1 then
    local spent = redis.call('GET', budgetKey)
    if not spent then
      spent = seed
      if budgetTtl > 0 then redis.call('SET', budgetKey, seed, 'PX', budgetTtl) else redis.call('SET', budgetKey, seed) end
    end
    if tonumber(spent) >= budget then
      local ttl = redis.call('PTTL', budgetKey)
      reject(4, ttl > 0 and ttl or 86400000)
    end
  end
  if rpm >= 0 or tpm >= 0 then
    local usedR, usedT, newest = 0, 0, -1
    local slotsR, slotsT, stale = {}, {}, {}
    local fields = redis.call('HGETALL', windowKey)
    for j = 1, #fields, 2 do
      local name = fields[j]
      local slot = tonumber(string.sub(name, 2))
      local value = tonumber(fields[j + 1])
      if slot < oldest then
        stale[#stale + 1] = name
      elseif string.sub(name, 1, 1) == 'r' then
        usedR = usedR + value
        slotsR[#slotsR + 1] = {slot, value}
        if value > 0 and slot > newest then newest = slot end
      else
        usedT = usedT + value
        slotsT[#slotsT + 1] = {slot, value}
      end
    end
    if #stale > 0 then redis.call('HDEL', windowKey, unpack(stale)) end
    if rpm >= 0 then
      if out[1] == 1 and usedR + 1 > rpm then reject(1, retryFor(usedR, 1, rpm, slotsR)) end
      local last = out[1] == 1 and current or newest
      figure(5, rpm, math.max(rpm - usedR - (out[1] == 1 and 1 or 0), 0), last >= 0 and (last + slots) * slotMs - now or 0)
    end
    if tpm >= 0 then
      if out[1] == 1 and usedT + tokens > tpm then reject(2, retryFor(usedT, tokens, tpm, slotsT)) end
      figure(8, tpm, math.max(tpm - usedT - (out[1] == 1 and tokens or 0), 0), (current + slots) * slotMs - now)
    end
    writes[#writes + 1] = {'w', windowKey}
  end
  if concurrency >= 0 then
    redis.call('ZREMRANGEBYSCORE', leaseKey, '-inf', now)
    if out[1] == 1 and redis.call('ZCARD', leaseKey) >= concurrency then reject(3, 1000) end
    writes[#writes + 1] = {'c', leaseKey}
  end
end

if out[1] == 1 then
  for _, write in ipairs(writes) do
    if write[1] == 'w' then
      redis.call('HINCRBY', write[2], 'r' .. current, 1)
      if tokens > 0 then redis.call('HINCRBY', write[2], 't' .. current, tokens) end
      redis.call('PEXPIRE', write[2], windowMs + slotMs)
    else
      redis.call('ZADD', write[2], now + leaseTtl, lease)
      redis.call('PEXPIRE', write[2], leaseTtl)
    end
  end
end
return out
`;

/**
 * Settlement of one or more finished calls at once (those that ended in the
 * same turn of the event loop, for subjects of one hash tag). KEYS: per call,
 * per subject, as for admission. ARGV: windowMs, slotMs, calls, then per call
 * now ('' for Redis's clock), slot, tokenDelta, leaseId, costUsd, subjects,
 * then per subject hasWindow (0/1), hasLeases (0/1), hasBudget (0/1),
 * budgetTtlMs. Returns the number of calls settled.
 */
export const SETTLE_SCRIPT = `
-- Redis's clock, read once, before any write, when some call did not pin one.
local serverNow
local function clock(given)
  if given ~= '' then return tonumber(given) end
  if not serverNow then
    if redis.replicate_commands then redis.replicate_commands() end
    local time = redis.call('TIME')
    serverNow = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  end
  return serverNow
end
local windowMs = tonumber(ARGV[1])
local slotMs = tonumber(ARGV[2])
local calls = tonumber(ARGV[3])
local a = 3
local k = 0
local nows = {}
do
  local scan = 3
  for c = 1, calls do
    nows[c] = clock(ARGV[scan + 1])
    scan = scan + 6 + tonumber(ARGV[scan + 6]) * 4
  end
end
for c = 1, calls do
  local now = nows[c]
  local slot = tonumber(ARGV[a + 2])
  local delta = tonumber(ARGV[a + 3])
  local lease = ARGV[a + 4]
  local cost = tonumber(ARGV[a + 5])
  local subjects = tonumber(ARGV[a + 6])
  a = a + 6
  local oldest = math.floor(now / slotMs) - math.floor(windowMs / slotMs) + 1
  for i = 1, subjects do
    if ARGV[a + 1] == '1' and delta ~= 0 and slot >= oldest then
      local field = 't' .. slot
      local value = redis.call('HINCRBY', KEYS[k + 1], field, delta)
      if value < 0 then redis.call('HSET', KEYS[k + 1], field, 0) end
    end
    if ARGV[a + 2] == '1' then redis.call('ZREM', KEYS[k + 2], lease) end
    if ARGV[a + 3] == '1' and cost > 0 then
      local budgetKey = KEYS[k + 3]
      redis.call('INCRBYFLOAT', budgetKey, cost)
      local ttl = tonumber(ARGV[a + 4])
      if ttl > 0 and redis.call('PTTL', budgetKey) < 0 then redis.call('PEXPIRE', budgetKey, ttl) end
    end
    a = a + 4
    k = k + 3
  end
end
return calls
`;
