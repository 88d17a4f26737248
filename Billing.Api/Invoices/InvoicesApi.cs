using System.Security.Claims;
using ApiDefaults;
using Billing.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Billing.Api.Invoices;

public static class InvoicesApi
{
    public static RouteGroupBuilder MapInvoicesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/invoices").WithTags("Invoices");

        api.MapPost("/", CreateInvoice)
            .RequireScope("billing:write")
            .WithName("CreateInvoice")
            .WithSummary("Creates the invoice of a payment; idempotent on the Idempotency-Key header.")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        api.MapGet("/{id:guid}", GetInvoice)
            .RequireScope("billing:read")
            .WithName("GetInvoice")
            .WithSummary("Gets an invoice by id, if the caller created it.");

        api.MapGet("/", GetInvoicesOfPayment)
            .RequireScope("billing:read")
            .WithName("GetInvoicesOfPayment")
            .WithSummary("Lists the invoices of a payment that the caller created.");

        return api;
    }

    public static async Task<Results<Created<InvoiceResponse>, Ok<InvoiceResponse>, ValidationProblem, ProblemHttpResult>> CreateInvoice(
        CreateInvoiceRequest request,
        [FromHeader(Name = IdempotencyKey.Header)] string? idempotencyKey,
        ClaimsPrincipal user,
        BillingDbContext db,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
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
            return Replay(existing, requestHash);
        }

        var invoice = new Invoice
        {
            Id = Guid.CreateVersion7(),
            PaymentId = request.PaymentId!,
            Amount = request.Amount!.Value,
            Currency = request.Currency!,
            Description = request.Description,
            CreatedAt = timeProvider.GetUtcNow(),
            RequestedBy = request.RequestedBy ?? clientId,
            // azp is the client that presented the token: for an exchanged token the service acting for the caller.
            ActedBy = user.FindFirstValue("azp") ?? clientId,
            ClientId = clientId,
            IdempotencyKey = idempotencyKey!,
            RequestHash = requestHash,
        };
        db.Invoices.Add(invoice);
        try
        {
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

            return Replay(existing, requestHash);
        }

        return TypedResults.Created($"/invoices/{invoice.Id}", InvoiceResponse.From(invoice));
    }

    /// <summary>An invoice belongs to the client that created it: another client gets the same 404 as for an unknown id.</summary>
    public static async Task<Results<Ok<InvoiceResponse>, ProblemHttpResult>> GetInvoice(
        Guid id, ClaimsPrincipal user, BillingDbContext db, CancellationToken cancellationToken)
    {
        var clientId = IdempotencyKey.OwnerOf(user);
        var invoice = await db.Invoices.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id && i.ClientId == clientId, cancellationToken);
        return invoice is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No invoice has the id {id}.")
            : TypedResults.Ok(InvoiceResponse.From(invoice));
    }

    /// <summary>Only the caller's own invoices: another client's payment id answers an empty list, as an unknown one does.</summary>
    public static async Task<Results<Ok<InvoiceResponse[]>, ValidationProblem>> GetInvoicesOfPayment(
        [FromQuery] string? paymentId, ClaimsPrincipal user, BillingDbContext db, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(paymentId))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["paymentId"] = ["Required query parameter."] });
        }

        var clientId = IdempotencyKey.OwnerOf(user);
        var invoices = await db.Invoices.AsNoTracking().Where(i => i.PaymentId == paymentId && i.ClientId == clientId).ToListAsync(cancellationToken);
        // Sorted here: SQLite cannot order by a DateTimeOffset column.
        return TypedResults.Ok(invoices.OrderBy(i => i.CreatedAt).Select(InvoiceResponse.From).ToArray());
    }

    private static Task<Invoice?> FindByKeyAsync(BillingDbContext db, string clientId, string idempotencyKey, CancellationToken cancellationToken) =>
        db.Invoices.AsNoTracking().FirstOrDefaultAsync(i => i.ClientId == clientId && i.IdempotencyKey == idempotencyKey, cancellationToken);

    /// <summary>Same key and same body: the invoice already made; same key, other body: 422.</summary>
    private static Results<Created<InvoiceResponse>, Ok<InvoiceResponse>, ValidationProblem, ProblemHttpResult> Replay(Invoice existing, string requestHash) =>
        existing.RequestHash == requestHash ? TypedResults.Ok(InvoiceResponse.From(existing)) : IdempotencyKey.Reused();
}
