using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Payments.Api.Billing;

namespace Payments.Api.Payments;

/// <summary>The body of <c>POST /payments</c>. Fields are nullable so a missing one is a validation error, not a binding failure.</summary>
public sealed record CreatePaymentRequest(decimal? Amount, string? Currency, string? Description)
{
    public const int MaxDescriptionLength = 500;

    /// <summary>Largest amount accepted, in major units (Billing's limit).</summary>
    public const decimal MaxAmount = 1_000_000_000m;

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (Currency is not { Length: 3 } || !Currency.All(char.IsAsciiLetterUpper))
        {
            errors[nameof(Currency)] = ["Required: an ISO 4217 currency code in upper case, such as EUR."];
        }

        if (Amount is not { } amount || amount <= 0 || amount > MaxAmount || decimal.Round(amount, 4) != amount)
        {
            errors[nameof(Amount)] = [$"Required: greater than 0, at most {MaxAmount.ToString(CultureInfo.InvariantCulture)}, at most 4 decimal places."];
        }

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

/// <summary>A payment and, once Billing has it, its invoice as Billing sees it.</summary>
public sealed record PaymentResponse(
    Guid Id, decimal Amount, string Currency, string? Description, PaymentStatus Status, DateTimeOffset CreatedAt, Invoice? Invoice)
{
    public static PaymentResponse From(Payment payment, Invoice? invoice) =>
        new(payment.Id, payment.Amount, payment.Currency, payment.Description, payment.Status, payment.CreatedAt, invoice);
}
