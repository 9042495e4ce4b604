package io.medseg.mlops.registry;

import io.medseg.MedsegException;

/**
 * A model registry refused a change by one of its rules: a package whose content is already registered, a package
 * that changed while it was being copied in, or (as {@link PromotionRefusedException}) a promotion to production
 * without a passing validation record. The message says which rule and what was found.
 */
public class RegistryException extends MedsegException {
    private static final long serialVersionUID = 1L;

    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
