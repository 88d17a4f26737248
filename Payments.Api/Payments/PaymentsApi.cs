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
    /// <summary>Seconds a caller should wait before asking again when Billing or the IdP is unreachable.</summary>
    public const int RetryAfterSeconds = 5;

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
            .WithSummary("Gets a payment with its invoice, read from Billing.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return api;
    }

    /// <summary>
    /// 201 with the invoice when Billing took it; 202 with status <c>InvoicePending</c> when Billing or the IdP is
    /// unreachable (the outbox delivers it later). A replay of the same key and body answers the payment as it is now,
    /// in the same representation: 202 again while its invoice is pending, 200 once it is settled.
    /// </summary>
    public static async Task<Results<Created<PaymentResponse>, Accepted<PaymentResponse>, Ok<PaymentResponse>, ValidationProblem, ProblemHttpResult>> CreatePayment(
        CreatePaymentRequest request,
        [FromHeader(Name = IdempotencyKey.Header)] string? idempotencyKey,
        ClaimsPrincipal user,
        [AsParameters] PaymentServices services,
        HttpContext httpContext,
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
            return await ReplayAsync(existing, requestHash, billing, httpContext, cancellationToken);
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

            return await ReplayAsync(existing, requestHash, billing, httpContext, cancellationToken);
        }

        var invoice = await delivery.DeliverAsync(payment, outboxEntry, cancellationToken);
        return payment.Status == PaymentStatus.InvoicePending
            ? TypedResults.Accepted(LocationOf(payment), PaymentResponse.From(payment, invoice))
            : TypedResults.Created(LocationOf(payment), PaymentResponse.From(payment, invoice));
    }

    /// <summary>The caller's own payment with its invoice as Billing has it now (read with a <c>billing:read</c> token).</summary>
    public static async Task<Results<Ok<PaymentResponse>, ProblemHttpResult>> GetPayment(
        Guid id, ClaimsPrincipal user, PaymentsDbContext db, BillingClient billing, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var clientId = IdempotencyKey.OwnerOf(user);
        var payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id && p.ClientId == clientId, cancellationToken);
        if (payment is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No payment has the id {id}.");
        }

        return await WithInvoiceAsync(payment, billing, cancellationToken) is { } response
            ? TypedResults.Ok(response)
            : InvoiceUnavailable(httpContext);
    }

    /// <summary>Same key, same body: the payment as it is now, with the status code that says so (202 while its invoice is pending).</summary>
    private static async Task<Results<Created<PaymentResponse>, Accepted<PaymentResponse>, Ok<PaymentResponse>, ValidationProblem, ProblemHttpResult>> ReplayAsync(
        Payment existing, string requestHash, BillingClient billing, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (existing.RequestHash != requestHash)
        {
            return IdempotencyKey.Reused();
        }

        if (await WithInvoiceAsync(existing, billing, cancellationToken) is not { } response)
        {
            return InvoiceUnavailable(httpContext);
        }

        return response.Status == PaymentStatus.InvoicePending
            ? TypedResults.Accepted(LocationOf(existing), response)
            : TypedResults.Ok(response);
    }

    private static string LocationOf(Payment payment) => $"/payments/{payment.Id}";

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

    /// <summary>503 with <c>Retry-After</c> (RFC 9110 §10.2.3): the payment exists, its invoice cannot be read now.</summary>
    private static ProblemHttpResult InvoiceUnavailable(HttpContext httpContext)
    {
        // About the Billing client's circuit-breaker break: asking again sooner would meet the same failure.
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Invoice unavailable",
            detail: "The payment exists, but its invoice cannot be read from Billing now (Billing or the identity provider is unreachable). Try again after Retry-After seconds.");
    }

    private static Task<Payment?> FindByKeyAsync(PaymentsDbContext db, string clientId, string idempotencyKey, CancellationToken cancellationToken) =>
        db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.ClientId == clientId && p.IdempotencyKey == idempotencyKey, cancellationToken);
}
