using Billing.Api.Data;
using Billing.Api.Invoices;

namespace Billing.Api;

public static class BillingApiExtensions
{
    public const string ConnectionStringName = "billing-db";
    private const string DefaultConnectionString = "Data Source=data/billing.db";

    public static TBuilder AddBillingApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddSqliteDatabase<BillingDbContext>(ConnectionStringName, DefaultConnectionString);
        builder.AddHttpApiDefaults();
        return builder;
    }

    public static WebApplication MapBillingApi(this WebApplication app)
    {
        app.MapHttpApiDocumentation();

        var invoices = app.MapInvoicesApi();
        if (app.IsAuthenticationDisabledForBenchmark())
        {
            invoices.AllowAnonymous();
        }

        return app;
    }
}
