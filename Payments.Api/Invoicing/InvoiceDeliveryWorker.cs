using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Payments.Api.Data;

namespace Payments.Api.Invoicing;

/// <summary>Delivers the invoices whose next attempt is due, until the outbox is empty. Survives restarts: the outbox is in the database.</summary>
public sealed partial class InvoiceDeliveryWorker(
    IServiceScopeFactory scopes,
    TimeProvider timeProvider,
    IOptions<InvoiceDeliveryOptions> options,
    ILogger<InvoiceDeliveryWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DeliverDueAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // One bad round (database locked, a bug in one entry) must not stop the worker for good.
                LogRoundFailed(logger, exception);
            }

            try
            {
                await Task.Delay(options.Value.PollInterval, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One round: every entry due now, oldest first, a batch at a time.</summary>
    public async Task DeliverDueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
            var delivery = scope.ServiceProvider.GetRequiredService<InvoiceDelivery>();

            var now = timeProvider.GetUtcNow();
            var due = await db.InvoiceOutbox
                .Where(e => e.NextAttemptAt <= now)
                .OrderBy(e => e.NextAttemptAt)
                .Take(options.Value.BatchSize)
                .ToListAsync(cancellationToken);

            foreach (var entry in due)
            {
                var payment = await db.Payments.SingleAsync(p => p.Id == entry.PaymentId, cancellationToken);
                await delivery.DeliverAsync(payment, entry, cancellationToken);
            }

            if (due.Count < options.Value.BatchSize)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Invoice delivery round failed; the next round retries")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
