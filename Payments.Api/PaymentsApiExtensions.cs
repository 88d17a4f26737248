using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Payments.Api.Billing;
using Payments.Api.Data;
using Payments.Api.Invoicing;
using Payments.Api.Payments;
using Scalar.AspNetCore;

namespace Payments.Api;

public static class PaymentsApiExtensions
{
    public const string ConnectionStringName = "payments-db";
    private const string DefaultConnectionString = "Data Source=data/payments.db";

    public static TBuilder AddPaymentsApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var connectionString = DatabaseFileUnderContentRoot(
            builder.Configuration.GetConnectionString(ConnectionStringName) ?? DefaultConnectionString,
            builder.Environment.ContentRootPath);

        builder.Services.AddDbContext<PaymentsDbContext>(options => options
            .UseSqlite(connectionString)
            // A lost idempotency race surfaces as a failed insert that the endpoint answers as a replay: not an error.
            // A failure nobody handles still reaches the exception handler or the worker, which log it as one.
            .ConfigureWarnings(warnings => warnings.Log(
                (CoreEventId.SaveChangesFailed, LogLevel.Debug),
                (RelationalEventId.CommandError, LogLevel.Debug))));
        builder.Services.AddHostedService<PaymentsDatabaseInitializer>();
        builder.Services.AddHealthChecks().AddCheck<PaymentsDatabaseHealthCheck>(ConnectionStringName);

        builder.Services.AddBillingClient(withoutTokenForBenchmark: builder.IsAuthenticationDisabledForBenchmark());
        builder.Services.AddOptions<InvoiceDeliveryOptions>()
            .BindConfiguration(InvoiceDeliveryOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<InvoiceDelivery>();
        builder.Services.AddHostedService<InvoiceDeliveryWorker>();

        builder.Services.AddOpenApi(options => options.AddResourceServerSecurity());
        return builder;
    }

    public static WebApplication MapPaymentsApi(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference().AllowAnonymous();
        }

        var payments = app.MapPaymentEndpoints();
        if (app.IsAuthenticationDisabledForBenchmark())
        {
            payments.AllowAnonymous();
        }

        return app;
    }

    /// <summary>A relative file name is taken from the content root, not from whatever the working directory is.</summary>
    private static string DatabaseFileUnderContentRoot(string connectionString, string contentRoot)
    {
        var sqlite = new SqliteConnectionStringBuilder(connectionString);
        if (sqlite.DataSource is { Length: > 0 } file && file != ":memory:" && !Path.IsPathRooted(file))
        {
            sqlite.DataSource = Path.Combine(contentRoot, file);
        }

        return sqlite.ToString();
    }
}
