using Billing.Api.Data;
using Billing.Api.Invoices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Scalar.AspNetCore;

namespace Billing.Api;

public static class BillingApiExtensions
{
    public const string ConnectionStringName = "billing-db";
    private const string DefaultConnectionString = "Data Source=data/billing.db";

    public static TBuilder AddBillingApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var connectionString = DatabaseFileUnderContentRoot(
            builder.Configuration.GetConnectionString(ConnectionStringName) ?? DefaultConnectionString,
            builder.Environment.ContentRootPath);

        builder.Services.AddDbContext<BillingDbContext>(options => options
            .UseSqlite(connectionString)
            // A lost idempotency race surfaces as a failed insert that the endpoint answers as a replay: not an error.
            // A failure nobody handles still reaches the exception handler, which logs it as one.
            .ConfigureWarnings(warnings => warnings.Log(
                (CoreEventId.SaveChangesFailed, LogLevel.Debug),
                (RelationalEventId.CommandError, LogLevel.Debug))));
        builder.Services.AddHostedService<BillingDatabaseInitializer>();
        builder.Services.AddHealthChecks().AddCheck<BillingDatabaseHealthCheck>(ConnectionStringName);
        builder.Services.AddOpenApi(options => options.AddResourceServerSecurity());
        // An unreadable request body is the caller's 400, not our 500 (Development throws it to show the details).
        builder.Services.AddExceptionHandler(options => options.StatusCodeSelector =
            exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError);

        return builder;
    }

    public static WebApplication MapBillingApi(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference().AllowAnonymous();
        }

        var invoices = app.MapInvoicesApi();
        if (app.IsAuthenticationDisabledForBenchmark())
        {
            invoices.AllowAnonymous();
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
