using Payments.Api.Billing;
using Payments.Api.Data;
using Payments.Api.Invoicing;
using Payments.Api.Payments;

namespace Payments.Api;

public static class PaymentsApiExtensions
{
    public const string ConnectionStringName = "payments-db";
    private const string DefaultConnectionString = "Data Source=data/payments.db";

    public static TBuilder AddPaymentsApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddSqliteDatabase<PaymentsDbContext>(ConnectionStringName, DefaultConnectionString);
        builder.AddHttpApiDefaults();

        builder.Services.AddBillingClient(withoutTokenForBenchmark: builder.IsAuthenticationDisabledForBenchmark());
        builder.Services.AddOptions<InvoiceDeliveryOptions>()
            .BindConfiguration(InvoiceDeliveryOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<InvoiceDelivery>();
        builder.Services.AddHostedService<InvoiceDeliveryWorker>();
        return builder;
    }

    public static WebApplication MapPaymentsApi(this WebApplication app)
    {
        app.MapHttpApiDocumentation();

        var payments = app.MapPaymentEndpoints();
        if (app.IsAuthenticationDisabledForBenchmark())
        {
            payments.AllowAnonymous();
        }

        return app;
    }
}
