using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Payments.Api.Billing;
using Money;

namespace Payments.Api.Payments;

/// <summary>The body of <c>POST /payments</c>. Fields are nullable so a missing one is a validation error, not a binding failure.</summary>
public sealed record CreatePaymentRequest(decimal? Amount, string? Currency, string? Description)
{
    public const int MaxDescriptionLength = 500;

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        // Billing's rule: a payment it would not invoice is refused here, not left rejected in the outbox.
        AmountValidation.Validate(Amount, Currency, errors);

        if (Description is { Length: > MaxDescriptionLength })
        {
            errors[nameof(Description)] = [$"At most {MaxDescriptionLength} characters."];
        }

        return errors;
    }

    /// <summary>The same request always hashes the same: 10.5 and 10.50 EUR are one amount.</summary>
    public string Hash()
    {
        var amount = Amount!.Value.ToString("0.############################", CultureInfo.InvariantCulture);
        var canonical = string.Join('\n', amount, Currency, Description ?? "");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}

/// <summary>
/// A payment and, once Billing has it, its invoice as Billing sees it. Amounts always have their currency's decimal
/// places: the first answer (from the request) and a replay (from the database) read the same.
/// </summary>
public sealed record PaymentResponse(
    Guid Id, decimal Amount, string Currency, string? Description, PaymentStatus Status, DateTimeOffset CreatedAt, Invoice? Invoice)
{
    public static PaymentResponse From(Payment payment, Invoice? invoice) =>
        new(payment.Id, Iso4217.WithMinorUnits(payment.Amount, payment.Currency), payment.Currency, payment.Description, payment.Status,
            payment.CreatedAt, invoice is null ? null : invoice with { Amount = Iso4217.WithMinorUnits(invoice.Amount, invoice.Currency) });
}
