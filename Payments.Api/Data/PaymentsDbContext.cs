using ApiDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Payments.Api.Invoicing;
using Payments.Api.Payments;

namespace Payments.Api.Data;

public sealed class PaymentsDbContext(DbContextOptions<PaymentsDbContext> options) : DbContext(options)
{
    public DbSet<Payment> Payments => Set<Payment>();

    public DbSet<InvoiceOutboxEntry> InvoiceOutbox => Set<InvoiceOutboxEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var payment = modelBuilder.Entity<Payment>();
        payment.Property(p => p.Currency).HasMaxLength(3);
        payment.Property(p => p.Description).HasMaxLength(CreatePaymentRequest.MaxDescriptionLength);
        payment.Property(p => p.IdempotencyKey).HasMaxLength(IdempotencyKey.MaxLength);
        payment.Property(p => p.Status).HasConversion<string>().HasMaxLength(20);
        // The database, not the code, guarantees one payment per key, however many requests race.
        payment.HasIndex(p => new { p.ClientId, p.IdempotencyKey }).IsUnique();

        var outbox = modelBuilder.Entity<InvoiceOutboxEntry>();
        outbox.HasKey(e => e.PaymentId);
        // Stored as a number so SQLite can compare and sort it (it cannot with DateTimeOffset text).
        outbox.Property(e => e.NextAttemptAt).HasConversion(new DateTimeOffsetToBinaryConverter());
        outbox.HasIndex(e => e.NextAttemptAt);
        outbox.HasOne<Payment>().WithOne().HasForeignKey<InvoiceOutboxEntry>(e => e.PaymentId);
    }
}
