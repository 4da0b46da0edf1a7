-- Shoestring current-state tables (CONTRACT §2). Idempotent: safe to apply on every start-up.
-- Written only by the state projection; every write is an upsert guarded by "version", so a
-- replayed or re-delivered flush can never replace a row with an older one.

CREATE TABLE IF NOT EXISTS orders (
    tenant_id    text        NOT NULL,
    order_id     text        NOT NULL,
    customer_id  text,
    status       text        NOT NULL CHECK (status IN ('created', 'paid', 'shipped', 'cancelled')),
    amount       numeric,
    paid_amount  numeric,
    currency     text,
    items        bigint,
    created_at   timestamptz,
    updated_at   timestamptz NOT NULL,
    version      bigint      NOT NULL,
    PRIMARY KEY (tenant_id, order_id)
);

CREATE TABLE IF NOT EXISTS agents (
    tenant_id        text        NOT NULL,
    agent_id         text        NOT NULL,
    decisions        bigint      NOT NULL,
    approved         bigint      NOT NULL,
    rejected         bigint      NOT NULL,
    escalated        bigint      NOT NULL,
    errors           bigint      NOT NULL,
    cost_usd         numeric     NOT NULL,
    input_tokens     bigint      NOT NULL,
    output_tokens    bigint      NOT NULL,
    last_decision_at timestamptz NOT NULL,
    last_outcome     text        NOT NULL,
    version          bigint      NOT NULL,
    PRIMARY KEY (tenant_id, agent_id)
);

-- "value" is a measurement, not money: double precision is the honest type for it.
CREATE TABLE IF NOT EXISTS metrics_current (
    tenant_id   text             NOT NULL,
    name        text             NOT NULL,
    value       double precision NOT NULL,
    unit        text             NOT NULL,
    updated_at  timestamptz      NOT NULL,
    version     bigint           NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
