using System.Security.Claims;
using ApiDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Payments.Api.Billing;
using Payments.Api.Data;
using Payments.Api.Invoicing;

namespace Payments.Api.Payments;

public static class PaymentsApi
{
    public static RouteGroupBuilder MapPaymentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/payments").WithTags("Payments");

        api.MapPost("/", CreatePayment)
            .RequireScope("payments:write")
            .WithName("CreatePayment")
            .WithSummary("Records a payment and creates its invoice in Billing; idempotent on the Idempotency-Key header.")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        api.MapGet("/{id:guid}", GetPayment)
            .RequireScope("payments:read")
            .WithName("GetPayment")
            .WithSummary("Gets a payment with its invoice, read from Billing.");

        return api;
    }

    /// <summary>
    /// 201 with the invoice when Billing took it; 202 with status <c>InvoicePending</c> when Billing or the IdP is
    /// unreachable (the outbox delivers it later); 200 for a replay of the same key and body.
    /// </summary>
    public static async Task<Results<Created<PaymentResponse>, Accepted<PaymentResponse>, Ok<PaymentResponse>, ValidationProblem, ProblemHttpResult>> CreatePayment(
        CreatePaymentRequest request,
        [FromHeader(Name = IdempotencyKey.Header)] string? idempotencyKey,
        ClaimsPrincipal user,
        [AsParameters] PaymentServices services,
        CancellationToken cancellationToken)
    {
        var (db, billing, delivery, timeProvider, deliveryOptions) = services;
        var errors = request.Validate();
        IdempotencyKey.Validate(idempotencyKey, errors);

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var clientId = IdempotencyKey.OwnerOf(user);
        var requestHash = request.Hash();
        var existing = await FindByKeyAsync(db, clientId, idempotencyKey!, cancellationToken);
        if (existing is not null)
        {
            return await ReplayAsync(existing, requestHash, billing, cancellationToken);
        }

        var now = timeProvider.GetUtcNow();
        var payment = new Payment
        {
            Id = Guid.CreateVersion7(),
            Amount = request.Amount!.Value,
            Currency = request.Currency!,
            Description = request.Description,
            CreatedAt = now,
            Status = PaymentStatus.InvoicePending,
            ClientId = clientId,
            IdempotencyKey = idempotencyKey!,
            RequestHash = requestHash,
        };
        // The worker leaves the entry to this request for a while; if the process dies mid-request, it takes over.
        var outboxEntry = new InvoiceOutboxEntry { PaymentId = payment.Id, NextAttemptAt = now + deliveryOptions.Value.RequestLease };
        db.Payments.Add(payment);
        db.InvoiceOutbox.Add(outboxEntry);
        try
        {
            // One SaveChanges, one transaction: no payment without its outbox entry until its invoice is recorded.
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (exception.IsConstraintViolation())
        {
            // A concurrent request with the same key inserted first: answer as its replay.
            db.ChangeTracker.Clear();
            existing = await FindByKeyAsync(db, clientId, idempotencyKey!, cancellationToken);
            if (existing is null)
            {
                throw;
            }

            return await ReplayAsync(existing, requestHash, billing, cancellationToken);
        }

        var invoice = await delivery.DeliverAsync(payment, outboxEntry, cancellationToken);
        var location = $"/payments/{payment.Id}";
        return payment.Status == PaymentStatus.InvoicePending
            ? TypedResults.Accepted(location, PaymentResponse.From(payment, invoice))
            : TypedResults.Created(location, PaymentResponse.From(payment, invoice));
    }

    /// <summary>The caller's own payment with its invoice as Billing has it now (read with a <c>billing:read</c> token).</summary>
    public static async Task<Results<Ok<PaymentResponse>, ProblemHttpResult>> GetPayment(
        Guid id, ClaimsPrincipal user, PaymentsDbContext db, BillingClient billing, CancellationToken cancellationToken)
    {
        var clientId = IdempotencyKey.OwnerOf(user);
        var payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id && p.ClientId == clientId, cancellationToken);
        if (payment is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No payment has the id {id}.");
        }

        return await WithInvoiceAsync(payment, billing, cancellationToken) is { } response ? TypedResults.Ok(response) : BillingUnavailable();
    }

    private static async Task<Results<Created<PaymentResponse>, Accepted<PaymentResponse>, Ok<PaymentResponse>, ValidationProblem, ProblemHttpResult>> ReplayAsync(
        Payment existing, string requestHash, BillingClient billing, CancellationToken cancellationToken)
    {
        if (existing.RequestHash != requestHash)
        {
            return IdempotencyKey.Reused();
        }

        return await WithInvoiceAsync(existing, billing, cancellationToken) is { } response ? TypedResults.Ok(response) : BillingUnavailable();
    }

    /// <summary>The payment with its invoice read from Billing; null when Billing (or the IdP) cannot be reached.</summary>
    private static async Task<PaymentResponse?> WithInvoiceAsync(Payment payment, BillingClient billing, CancellationToken cancellationToken)
    {
        if (payment.InvoiceId is not { } invoiceId)
        {
            return PaymentResponse.From(payment, invoice: null);
        }

        try
        {
            return PaymentResponse.From(payment, await billing.GetInvoiceAsync(invoiceId, cancellationToken));
        }
        catch (Exception exception) when (BillingClient.IsUnavailable(exception, cancellationToken))
        {
            return null;
        }
    }

    private static ProblemHttpResult BillingUnavailable() => TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Billing unavailable",
        detail: "The payment exists, but its invoice could not be read from Billing. Try again later.");

    private static Task<Payment?> FindByKeyAsync(PaymentsDbContext db, string clientId, string idempotencyKey, CancellationToken cancellationToken) =>
        db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.ClientId == clientId && p.IdempotencyKey == idempotencyKey, cancellationToken);
}
