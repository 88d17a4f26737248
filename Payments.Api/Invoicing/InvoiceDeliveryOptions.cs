using System.ComponentModel.DataAnnotations;

namespace Payments.Api.Invoicing;

/// <summary>How pending invoices reach Billing. Bound from the <c>InvoiceDelivery</c> section.</summary>
public sealed class InvoiceDeliveryOptions
{
    public const string SectionName = "InvoiceDelivery";

    /// <summary>How often the worker looks for invoices that are due.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Wait after the first failed attempt; it doubles with every further failure…</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>…up to this.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the worker leaves a new payment's invoice to the request that is delivering it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestLease { get; set; } = TimeSpan.FromSeconds(30);

    [Range(1, 1000)]
    public int BatchSize { get; set; } = 20;
}
