using Payments.Api.Billing;
using Payments.Api.Data;
using Payments.Api.Invoicing;

namespace Payments.Api;

public static class PaymentsApiExtensions
{
    public const string ConnectionStringName = "payments-db";
    private const string DefaultConnectionString = "Data Source=data/payments.db";

    /// <summary>Payments' database, Billing client and invoice outbox; its endpoints are mapped by <c>MapPaymentsApi</c>.</summary>
    public static TBuilder AddPaymentsApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddSqliteDatabase<PaymentsDbContext>(ConnectionStringName, DefaultConnectionString);
        builder.AddApiDefaults();

        builder.Services.AddBillingClient(builder.Configuration, builder.Environment.IsDevelopment());
        builder.Services.AddOptions<InvoiceDeliveryOptions>()
            .BindConfiguration(InvoiceDeliveryOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<InvoiceDelivery>();
        builder.Services.AddHostedService<InvoiceDeliveryWorker>();
        return builder;
    }
}
