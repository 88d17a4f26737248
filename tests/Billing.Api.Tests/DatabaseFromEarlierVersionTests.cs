using Billing.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Billing.Api.Tests;

/// <summary>A database file left by an earlier version stops the start with a clear message instead of a 500 per request.</summary>
public sealed class DatabaseFromEarlierVersionTests
{
    [Fact]
    public async Task Database_missing_a_column_stops_the_start_naming_the_file_and_the_column()
    {
        var folder = Directory.CreateTempSubdirectory("billing-old-db-").FullName;
        var path = Path.Combine(folder, "billing.db");
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = connection.CreateCommand();
            // The invoice table as the version before requestedBy/actedBy created it.
            command.CommandText = """
                CREATE TABLE "Invoices" ("Id" TEXT NOT NULL PRIMARY KEY, "PaymentId" TEXT NOT NULL, "Amount" TEXT NOT NULL,
                    "Currency" TEXT NOT NULL, "Description" TEXT NULL, "CreatedAt" TEXT NOT NULL, "ClientId" TEXT NOT NULL,
                    "IdempotencyKey" TEXT NOT NULL, "RequestHash" TEXT NOT NULL);
                """;
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var factory = new BillingApiFactory("http://127.0.0.1:9/realms/m2m");
        await using var old = factory.WithWebHostBuilder(builder => builder.UseSetting("ConnectionStrings:billing-db", $"Data Source={path}"));

        var exception = Assert.ThrowsAny<Exception>(() => old.Server);

        Assert.Contains("earlier version", exception.ToString());
        Assert.Contains("Invoices.RequestedBy", exception.ToString());
        Assert.Contains(path, exception.ToString());
        SqliteConnection.ClearAllPools();
    }
}
