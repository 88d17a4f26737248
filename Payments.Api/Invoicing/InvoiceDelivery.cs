using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Payments.Api.Billing;
using Payments.Api.Data;
using Payments.Api.Payments;

namespace Payments.Api.Invoicing;

/// <summary>
/// Sends one payment's invoice to Billing and records the outcome: invoiced (outbox entry gone), rejected for good,
/// or still pending with the next attempt pushed back. Used by the request that created the payment and by the worker.
/// </summary>
public sealed partial class InvoiceDelivery(
    PaymentsDbContext db,
    BillingClient billing,
    TimeProvider timeProvider,
    IOptions<InvoiceDeliveryOptions> options,
    ILogger<InvoiceDelivery> logger)
{
    /// <summary>The invoice if Billing accepted it now, otherwise null (the payment's status says why).</summary>
    public async Task<Invoice?> DeliverAsync(Payment payment, InvoiceOutboxEntry entry, CancellationToken cancellationToken)
    {
        Invoice? invoice = null;
        try
        {
            invoice = await billing.CreateInvoiceAsync(
                // The caller who asked is stored with the payment (same transaction as the outbox entry), so a retry names it too.
                new CreateInvoiceRequest(payment.Id.ToString(), payment.Amount, payment.Currency, payment.Description, payment.ClientId),
                cancellationToken);
            payment.Status = PaymentStatus.Invoiced;
            payment.InvoiceId = invoice.Id;
            db.InvoiceOutbox.Remove(entry);
            LogInvoiced(logger, payment.Id, invoice.Id, entry.Attempts + 1);
        }
        catch (HttpRequestException exception) when (IsPermanent(exception.StatusCode))
        {
            payment.Status = PaymentStatus.InvoiceRejected;
            db.InvoiceOutbox.Remove(entry);
            LogRejected(logger, payment.Id, (int)exception.StatusCode!);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Unreachable, slow or failing (Billing or the IdP), or anything unexpected: the outbox keeps the invoice and
            // backs off, so even a bug in one entry cannot spin the worker.
            entry.Attempts++;
            entry.LastError = exception.Message;
            entry.NextAttemptAt = timeProvider.GetUtcNow() + RetryDelay(entry.Attempts);
            LogPending(logger, payment.Id, entry.Attempts, entry.NextAttemptAt, exception.Message);
        }

        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another delivery (a second replica) removed the entry first; Billing's idempotency made it the same invoice.
            db.ChangeTracker.Clear();
        }

        return invoice;
    }

    /// <summary>Billing says the request itself is wrong; sending it again cannot change that.</summary>
    private static bool IsPermanent(HttpStatusCode? status) =>
        status is HttpStatusCode.BadRequest or HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity;

    private TimeSpan RetryDelay(int attempts)
    {
        var settings = options.Value;
        var doubled = settings.FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 30));
        return TimeSpan.FromMilliseconds(Math.Min(doubled, settings.MaxRetryDelay.TotalMilliseconds));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Payment {PaymentId} invoiced as {InvoiceId} (attempt {Attempt})")]
    private static partial void LogInvoiced(ILogger logger, Guid paymentId, Guid invoiceId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoice of payment {PaymentId} still pending after attempt {Attempt}; next attempt at {NextAttemptAt:O}: {Reason}")]
    private static partial void LogPending(ILogger logger, Guid paymentId, int attempt, DateTimeOffset nextAttemptAt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Billing rejected the invoice of payment {PaymentId} with {StatusCode}; it will not be retried")]
    private static partial void LogRejected(ILogger logger, Guid paymentId, int statusCode);
}
