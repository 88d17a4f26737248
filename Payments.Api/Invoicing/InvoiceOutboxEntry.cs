namespace Payments.Api.Invoicing;

/// <summary>
/// "This payment's invoice is not in Billing yet." Written in the same transaction as the payment, deleted in the
/// same transaction that records the invoice: a payment can never be left without either.
/// </summary>
public sealed class InvoiceOutboxEntry
{
    public Guid PaymentId { get; init; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>Why the last attempt failed (an exception message, never a token).</summary>
    public string? LastError { get; set; }
}
