using Billing.Api.Data;

namespace Billing.Api;

public static class BillingApiExtensions
{
    public const string ConnectionStringName = "billing-db";
    private const string DefaultConnectionString = "Data Source=data/billing.db";

    /// <summary>Billing's database, problem details and OpenAPI document; its endpoints are mapped by <c>MapInvoicesApi</c>.</summary>
    public static TBuilder AddBillingApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddSqliteDatabase<BillingDbContext>(ConnectionStringName, DefaultConnectionString);
        builder.AddApiDefaults();
        return builder;
    }
}
