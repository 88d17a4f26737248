using System.Text.Json.Serialization;

namespace Payments.Api.Payments;

[JsonConverter(typeof(JsonStringEnumConverter<PaymentStatus>))]
public enum PaymentStatus
{
    /// <summary>Recorded; its invoice waits in the outbox until Billing accepts it.</summary>
    InvoicePending,

    /// <summary>Billing created its invoice.</summary>
    Invoiced,

    /// <summary>Billing refused the invoice for good (a 4xx that no retry can change); see the logs.</summary>
    InvoiceRejected,
}

/// <summary>A payment, created once per (caller, Idempotency-Key).</summary>
public sealed class Payment
{
    public Guid Id { get; init; }
    public decimal Amount { get; init; }

    /// <summary>ISO 4217 code, upper case.</summary>
    public required string Currency { get; init; }
    public string? Description { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public PaymentStatus Status { get; set; }

    /// <summary>Billing's id of the invoice, once it exists.</summary>
    public Guid? InvoiceId { get; set; }

    /// <summary>The <c>client_id</c> of the caller; it alone may read the payment, and its idempotency keys are its own.</summary>
    public required string ClientId { get; init; }
    public required string IdempotencyKey { get; init; }

    /// <summary>SHA-256 of the canonical request, to tell a replay from a reuse of the key with another body.</summary>
    public required string RequestHash { get; init; }
}
