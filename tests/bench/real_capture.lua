-- real_capture.lua - the wrk script of real_capture.sh: the threads together make exactly
-- TOTAL requests, each picked at random from a list, then stay idle so no request is left
-- in flight when wrk is stopped (a body cut by wrk's exit would differ from nginx's log).
-- Args (after --): LIST TOTAL THREADS PACE_MS DONE_PREFIX
--   LIST: one request a line, METHOD|PATH|EXTRA, where EXTRA is empty, a header
--     ("Range: bytes=0-1023") or body=N (N bytes of request body).
--   PACE_MS: average delay in ms between two requests of one connection (0: none).
--   DONE_PREFIX: a thread that has all its responses creates the file DONE_PREFIX<id>.

local counter = 0
function setup(thread)
    thread:set("id", counter)
    counter = counter + 1
end

local reqs = {}
local budget, reserved, done, pace = 0, 0, 0, 0
local done_file

local function finish()
    local f = io.open(done_file, "w")
    if f then
        f:close()
    end
end

function init(args)
    local total, threads = tonumber(args[2]), tonumber(args[3])
    pace = tonumber(args[4])
    done_file = args[5] .. id
    budget = math.floor(total / threads)
    if id < total % threads then
        budget = budget + 1
    end
    for line in io.lines(args[1]) do
        local method, path, extra = line:match("^([^|]*)|([^|]*)|(.*)$")
        local headers, body = {}, nil
        local n = extra:match("^body=(%d+)$")
        if n then
            body = string.rep("x", tonumber(n))
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elseif extra ~= "" then
            local k, v = extra:match("^([^:]+): *(.*)$")
            headers[k] = v
        end
        reqs[#reqs + 1] = wrk.format(method, path, headers, body)
    end
    math.randomseed(1000 + id)
    if budget == 0 then
        finish()
    end
end

-- Called before each request of a connection: the budget is taken here, not in request(),
-- since every connection asks for its delay before the request is built.
function delay()
    if reserved >= budget then
        return 3600000
    end
    reserved = reserved + 1
    if pace <= 0 then
        return 0
    end
    -- delay() takes whole ms: round up or down at random to keep the average
    local f = math.floor(pace)
    if math.random() < pace - f then
        return f + 1
    end
    return f
end

function request()
    return reqs[math.random(#reqs)]
end

function response(status, headers, body)
    done = done + 1
    if done == budget then
        finish()
    end
end
