namespace Billing.Api.Invoices;

/// <summary>An invoice for one payment, created once per (client, Idempotency-Key).</summary>
public sealed class Invoice
{
    public Guid Id { get; init; }
    public required string PaymentId { get; init; }
    public decimal Amount { get; init; }

    /// <summary>ISO 4217 code, upper case.</summary>
    public required string Currency { get; init; }
    public string? Description { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Who asked for the invoice: the original caller the acting service named (or the acting client itself).</summary>
    public required string RequestedBy { get; init; }

    /// <summary>Who acted: the token's <c>azp</c>, the client that presented it (for an exchanged token, the exchange's requester).</summary>
    public required string ActedBy { get; init; }

    /// <summary>The <c>client_id</c> of the caller that created it; idempotency keys are scoped to it.</summary>
    public required string ClientId { get; init; }
    public required string IdempotencyKey { get; init; }

    /// <summary>SHA-256 of the canonical request, to tell a replay from a reuse of the key with another body.</summary>
    public required string RequestHash { get; init; }
}
